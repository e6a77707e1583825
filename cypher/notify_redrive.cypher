// Queue dead letters (all, or those with the given seqs) for delivery again.
MATCH (d:Delivery {subscription_id: $subscription_id, status: 'dead'})
WHERE $seqs IS NULL OR d.seq IN $seqs
SET d.status = 'pending', d.redrive_pending = true, d.redrives = coalesce(d.redrives, 0) + 1,
    d.previous_attempts = coalesce(d.previous_attempts, 0) + d.attempts, d.attempts = 0,
    d.redriven_at = datetime(), d.next_attempt_at = null
RETURN count(d) AS redriven
