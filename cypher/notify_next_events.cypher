// The next events after the cursor that the subscription wants, in sequence order, scanning at
// most $window sequence numbers; `upper` is the last number scanned (all committed: the sequence
// lock makes numbers commit in order).
OPTIONAL MATCH (q:Sequence {name: 'events'})
WITH CASE WHEN coalesce(q.value, 0) < $after + $window THEN coalesce(q.value, 0)
          ELSE $after + $window END AS upper
RETURN upper, COLLECT {
  MATCH (e:Event)
  WHERE e.seq > $after AND e.seq <= upper
    AND ($all OR e.type IN $types OR any(p IN $prefixes WHERE e.type STARTS WITH p))
  WITH e ORDER BY e.seq LIMIT $limit
  RETURN e {.*} AS event
} AS events
