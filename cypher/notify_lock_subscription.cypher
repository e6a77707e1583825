// Take the subscription's write lock first, then read it: every lease decision is made on fresh
// values that no other transaction can change until this one ends. Also returns the server clock
// and the newest event number.
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s.touched_at = datetime()
WITH s
OPTIONAL MATCH (q:Sequence {name: 'events'})
RETURN s {.*} AS subscription, datetime() AS now, coalesce(q.value, 0) AS high
