// Outbox: an event written in the same transaction as the change it describes, without a global lock.
// Order per identity: the event takes its identity's write lock (the Identity node, which the changes of
// an identity lock anyway) and counts itself in the identity's stream (stream_seq); written_at is read
// after that lock, so within one identity it grows with commit order. The global, gap-free number (seq)
// is given after commit by the sequencer (sequence_*.cypher, graph/notify.py) in (written_at,
// stream_seq) order; until then the event carries the label Unsequenced.
OPTIONAL MATCH (i:Identity {empi_id: $empi_id})
SET i.event_count = coalesce(i.event_count, 0) + 1
CREATE (e:Event:Unsequenced {type: $type, empi_id: $empi_id, resident_id: $resident_id, payload: $payload,
                              at: datetime(), stream_seq: i.event_count, written_at: datetime.realtime()})
RETURN e.stream_seq AS stream_seq
