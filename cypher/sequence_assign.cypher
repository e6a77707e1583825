// Outbox sequencer, step 3: give the events their global numbers (consecutive after the last one) and
// move the sequence on, in the transaction holding the sequence's lock: readers never see a gap.
UNWIND $rows AS row
MATCH (e:Unsequenced) WHERE elementId(e) = row.id
SET e.seq = row.seq
REMOVE e:Unsequenced
WITH count(e) AS numbered
MATCH (s:Sequence {name: 'events'})
SET s.value = $high
RETURN numbered
