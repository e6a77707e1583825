MATCH (x:ReviewItem {review_id: $review_id})
MATCH (x)-[:CANDIDATE {role: 'a'}]->(a:Resident), (x)-[:CANDIDATE {role: 'b'}]->(b:Resident)
RETURN x {.*} AS item, a.resident_id AS a, b.resident_id AS b
