// Subscriptions, optionally of one status, oldest first.
MATCH (s:Subscription)
WHERE $status IS NULL OR s.status = $status
OPTIONAL MATCH (q:Sequence {name: 'events'})
RETURN s {.*} AS subscription, coalesce(q.value, 0) AS high,
       COUNT { MATCH (d:Delivery {subscription_id: s.subscription_id, status: 'dead'}) } AS dead_letters
ORDER BY s.created_at, s.subscription_id
