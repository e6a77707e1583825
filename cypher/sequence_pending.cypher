// Outbox sequencer, step 2: committed events without a number yet, oldest first (written_at is read
// under the identity's lock, so one identity's events come in their commit order; stream_seq breaks ties).
MATCH (e:Unsequenced)
WITH e ORDER BY e.written_at, e.stream_seq
LIMIT $limit
RETURN elementId(e) AS id, e.empi_id AS stream, e.stream_seq AS stream_seq
