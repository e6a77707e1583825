// Outbox events after a sequence number, then those not numbered yet (the sequencer numbers them soon).
MATCH (e:Event) WHERE e.seq > $after OR e:Unsequenced
RETURN e {.*} AS event ORDER BY e.seq IS NULL, e.seq, e.written_at, e.stream_seq LIMIT $limit
