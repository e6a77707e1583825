// A failed attempt: record it; past the last try, dead-letter it (a stream event's cursor moves
// past it). The subscription backs off and its lease is released. Caller holds the lock and lease.
MATCH (s:Subscription {subscription_id: $subscription_id})
MERGE (d:Delivery {delivery_id: $delivery_id})
ON CREATE SET d.subscription_id = $subscription_id, d.seq = $seq, d.event_type = $event_type,
              d.generation = $generation, d.created_at = datetime()
SET d.status = CASE WHEN $dead THEN 'dead' ELSE 'failed' END, d.attempts = $attempts,
    d.last_status_code = $status_code, d.last_error = $error, d.last_attempt_at = datetime(),
    d.next_attempt_at = CASE WHEN $dead THEN null ELSE datetime() + duration({milliseconds: $delay_ms}) END,
    d.dead_at = CASE WHEN $dead THEN datetime() ELSE d.dead_at END,
    d.redrive_pending = CASE WHEN $dead THEN false ELSE coalesce(d.redrive_pending, false) END,
    d.dispatcher = $owner
WITH s, d
SET s.cursor = CASE WHEN $dead AND NOT $redrive AND $seq > s.cursor THEN $seq ELSE s.cursor END,
    s.head_seq = CASE WHEN $redrive THEN s.head_seq WHEN $dead THEN null ELSE $seq END,
    s.head_attempts = CASE WHEN $redrive THEN s.head_attempts WHEN $dead THEN 0 ELSE $attempts END,
    s.next_attempt_at = d.next_attempt_at,
    s.dead_total = s.dead_total + CASE WHEN $dead THEN 1 ELSE 0 END,
    s.last_error = $error, s.last_error_at = datetime(),
    s.lease_owner = null, s.lease_token = null, s.lease_until = null
RETURN d {.*} AS delivery
