// Unlink one record: its SAME_AS links go (returned, so the unlink is recorded and can be re-linked).
MATCH (r:Resident {resident_id: $resident_id})-[s:SAME_AS]-(o:Resident)
WITH s, startNode(s).resident_id AS from_id, endNode(s).resident_id AS to_id, properties(s) AS props
DELETE s
RETURN from_id, to_id, props
