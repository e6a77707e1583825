// Active subscriptions with work (events past the cursor or queued re-drives), not leased, not
// backing off. Candidates only: a claim re-checks all of this under the subscription's lock.
OPTIONAL MATCH (q:Sequence {name: 'events'})
WITH coalesce(q.value, 0) AS high
MATCH (s:Subscription {status: 'active'})
WHERE (s.lease_until IS NULL OR s.lease_until < datetime())
  AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= datetime())
  AND (s.cursor < high
       OR EXISTS { MATCH (d:Delivery {subscription_id: s.subscription_id, redrive_pending: true}) })
RETURN s.subscription_id AS subscription_id
ORDER BY coalesce(s.last_delivered_at, s.created_at)
LIMIT $limit
