// Outbox: an event written in the same transaction as the change it describes. The sequence node
// gives every event a gap-free, commit-ordered number (its lock serialises writers for a moment).
MERGE (s:Sequence {name: 'events'})
ON CREATE SET s.value = 0
SET s.value = s.value + 1
CREATE (e:Event {seq: s.value, type: $type, empi_id: $empi_id, resident_id: $resident_id,
                 payload: $payload, at: datetime()})
RETURN e.seq AS seq
