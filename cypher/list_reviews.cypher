MATCH (x:ReviewItem)
WHERE ($status IS NULL OR x.status = $status) AND x.score >= $min_score AND x.score <= $max_score
MATCH (x)-[:CANDIDATE {role: 'a'}]->(a:Resident), (x)-[:CANDIDATE {role: 'b'}]->(b:Resident)
RETURN x {.*} AS item, a.resident_id AS a, b.resident_id AS b
ORDER BY CASE WHEN $descending THEN -x.score ELSE x.score END, x.created_at
SKIP $offset LIMIT $limit
