// Outbox: an event written in the same transaction as the change it describes. The sequence node
// gives every event a gap-free number in the order writers take its lock; a reader may see number n+1
// before n becomes visible, so readers of the outbox wait at a gap (see graph/notify.py).
MERGE (s:Sequence {name: 'events'})
ON CREATE SET s.value = 0
SET s.value = s.value + 1
CREATE (e:Event {seq: s.value, type: $type, empi_id: $empi_id, resident_id: $resident_id,
                 payload: $payload, at: datetime()})
RETURN e.seq AS seq
