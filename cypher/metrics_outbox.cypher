// Outbox figures for the Prometheus scrape: the newest event's sequence number and, per subscription not
// deleted, its lag (events after its cursor), dead letters and the age of the next event it waits for.
OPTIONAL MATCH (q:Sequence {name: 'events'})
WITH coalesce(q.value, 0) AS high
OPTIONAL MATCH (s:Subscription)
WHERE s.status <> 'deleted'
OPTIONAL MATCH (next:Event {seq: coalesce(s.cursor, 0) + 1})
WITH high, s, next
RETURN high, collect(CASE WHEN s IS NULL THEN null ELSE {
  subscription_id: s.subscription_id,
  status: s.status,
  lag: CASE WHEN high > coalesce(s.cursor, 0) THEN high - coalesce(s.cursor, 0) ELSE 0 END,
  dead_letters: COUNT { MATCH (d:Delivery {subscription_id: s.subscription_id, status: 'dead'}) },
  next_event_age_seconds: CASE WHEN next IS NULL THEN null
                               ELSE duration.inSeconds(next.at, datetime()).seconds END
} END) AS subscriptions
