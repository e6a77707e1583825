// A new webhook subscription; it starts after the newest event (replay reaches back further).
OPTIONAL MATCH (q:Sequence {name: 'events'})
WITH coalesce(q.value, 0) AS high
CREATE (s:Subscription {subscription_id: $subscription_id})
SET s += $props, s.status = 'active', s.cursor = high, s.generation = 0, s.revision = 0,
    s.head_attempts = 0, s.delivered_total = 0, s.dead_total = 0,
    s.created_at = datetime(), s.updated_at = datetime()
RETURN s {.*} AS subscription
