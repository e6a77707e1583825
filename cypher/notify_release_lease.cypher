// Give a subscription's lease back (caller holds its lock and has checked the lease is its own).
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s.lease_owner = null, s.lease_token = null, s.lease_until = null
RETURN s.subscription_id AS subscription_id
