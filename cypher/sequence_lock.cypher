// Outbox sequencer, step 1: take the sequence's write lock (one sequencer at a time; writers of events
// never take it) and read the last number given.
MERGE (s:Sequence {name: 'events'})
ON CREATE SET s.value = 0
SET s.locked_at = datetime()
RETURN s.value AS value
