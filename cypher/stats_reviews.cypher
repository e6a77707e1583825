MATCH (x:ReviewItem)
RETURN x.status AS status, count(*) AS items, min(x.score) AS min_score, max(x.score) AS max_score
ORDER BY status
