// One subscription with its lag behind the outbox and its dead-letter count.
MATCH (s:Subscription {subscription_id: $subscription_id})
OPTIONAL MATCH (q:Sequence {name: 'events'})
RETURN s {.*} AS subscription, coalesce(q.value, 0) AS high,
       COUNT { MATCH (d:Delivery {subscription_id: s.subscription_id, status: 'dead'}) } AS dead_letters
