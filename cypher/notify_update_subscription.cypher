// Change a subscription (caller holds its lock); the revision fences off a dispatcher mid-batch.
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s += $props, s.revision = s.revision + 1, s.updated_at = datetime()
RETURN s {.*} AS subscription
