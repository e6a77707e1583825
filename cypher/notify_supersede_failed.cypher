// A replay or a change of event types abandons the retrying head delivery of the old stream.
MATCH (d:Delivery {subscription_id: $subscription_id, status: 'failed'})
WHERE d.redrive_pending IS NULL OR d.redrive_pending = false
SET d.status = 'superseded', d.next_attempt_at = null
WITH count(d) AS superseded
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s.head_seq = null, s.head_attempts = 0, s.next_attempt_at = null
RETURN superseded
