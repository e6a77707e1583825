// A steward's SAME_AS (merge or confirmed review), tagged with the merge that made it.
MATCH (a:Resident {resident_id: $resident_id}), (b:Resident {resident_id: $other_id})
CREATE (a)-[s:SAME_AS {score: $score, method: $method, decided_by: $decided_by, reason: $reason,
                       model_version: $model_version, explanation: $explanation, merge_id: $merge_id,
                       at: datetime()}]->(b)
RETURN s.merge_id AS merge_id
