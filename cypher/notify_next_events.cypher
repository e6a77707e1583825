// The events after the cursor, scanning at most $window sequence numbers: `seqs` lists every number
// present (so the dispatcher can stop at a gap, an event not yet visible), `events` the wanted ones
// in order, at most $limit.
OPTIONAL MATCH (q:Sequence {name: 'events'})
WITH CASE WHEN coalesce(q.value, 0) < $after + $window THEN coalesce(q.value, 0)
          ELSE $after + $window END AS upper
RETURN upper,
  COLLECT {
    MATCH (e:Event)
    WHERE e.seq > $after AND e.seq <= upper
    RETURN e.seq AS seq ORDER BY seq
  } AS seqs,
  COLLECT {
    MATCH (e:Event)
    WHERE e.seq > $after AND e.seq <= upper
      AND ($all OR e.type IN $types OR any(p IN $prefixes WHERE e.type STARTS WITH p))
    WITH e ORDER BY e.seq LIMIT $limit
    RETURN e {.*} AS event
  } AS events
