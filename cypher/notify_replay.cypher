// Replay from a sequence number: rewind the cursor, start a new delivery generation (new delivery
// ids), fence off any dispatcher mid-batch; queued re-drives the replay covers are superseded.
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s.cursor = $from_seq - 1, s.generation = s.generation + 1, s.revision = s.revision + 1,
    s.head_seq = null, s.head_attempts = 0, s.next_attempt_at = null,
    s.replayed_from = $from_seq, s.replayed_at = datetime(), s.updated_at = datetime()
WITH s
CALL (s) {
  MATCH (d:Delivery {subscription_id: s.subscription_id, redrive_pending: true})
  WHERE d.seq >= $from_seq
  SET d.redrive_pending = false, d.status = 'superseded', d.next_attempt_at = null
}
RETURN s {.*} AS subscription
