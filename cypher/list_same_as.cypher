// Why is this record linked? Its SAME_AS decisions in both directions, with their explanations.
MATCH (r:Resident {resident_id: $resident_id})-[s:SAME_AS]-(o:Resident)
RETURN startNode(s).resident_id AS from_id, endNode(s).resident_id AS to_id, properties(s) AS link
ORDER BY s.at
