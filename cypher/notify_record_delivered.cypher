// Acknowledged deliveries (2xx): record them, advance the cursor, clear the retry state, extend
// the lease. The caller holds the subscription's lock and has checked its lease.
MATCH (s:Subscription {subscription_id: $subscription_id})
WITH s, (s.head_seq IS NOT NULL AND s.head_seq <= $cursor) AS head_done
SET s.cursor = CASE WHEN $cursor > s.cursor THEN $cursor ELSE s.cursor END,
    s.head_attempts = CASE WHEN head_done THEN 0 ELSE s.head_attempts END,
    s.head_seq = CASE WHEN head_done THEN null ELSE s.head_seq END,
    s.next_attempt_at = null,
    s.lease_until = datetime() + duration({milliseconds: $lease_ms}),
    s.delivered_total = s.delivered_total + size($rows),
    s.last_delivered_at = CASE WHEN size($rows) > 0 THEN datetime() ELSE s.last_delivered_at END
WITH s
CALL (s) {
  UNWIND $rows AS row
  MERGE (d:Delivery {delivery_id: row.delivery_id})
  ON CREATE SET d.subscription_id = s.subscription_id, d.seq = row.seq, d.event_type = row.event_type,
                d.generation = row.generation, d.created_at = datetime(row.attempted_at)
  SET d.status = 'delivered', d.attempts = row.attempts, d.last_status_code = row.status_code,
      d.last_error = null, d.last_attempt_at = datetime(row.attempted_at), d.delivered_at = datetime(row.acked_at),
      d.next_attempt_at = null, d.redrive_pending = false, d.dispatcher = $owner
}
RETURN s.cursor AS cursor
