MATCH (a:Resident {resident_id: $resident_id}), (b:Resident {resident_id: $other_id})
MERGE (a)-[s:SAME_AS]->(b)
ON CREATE SET s.score = $score, s.method = $method, s.decided_by = $decided_by, s.reason = $reason,
              s.model_version = $model_version, s.explanation = $explanation, s.at = datetime()
RETURN s.score AS score
