// Link history: every link, unlink, merge and unmerge, attached to the identities it concerns.
CREATE (x:LinkEvent {event_id: $event_id, kind: $kind, at: datetime(), by: $by, method: $method,
                     score: $score, model_version: $model_version, reason: $reason,
                     resident_ids: $resident_ids, empi_ids: $empi_ids, detail: $detail})
WITH x
UNWIND $empi_ids AS empi_id
MATCH (i:Identity {empi_id: empi_id})
CREATE (x)-[:ABOUT]->(i)
RETURN count(*) AS linked
