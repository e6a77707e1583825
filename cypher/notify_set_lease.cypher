// Lease a subscription to one dispatcher (caller holds its lock and has checked it is free).
MATCH (s:Subscription {subscription_id: $subscription_id})
SET s.lease_owner = $owner, s.lease_token = $token,
    s.lease_until = datetime() + duration({milliseconds: $lease_ms})
RETURN s {.*} AS subscription
