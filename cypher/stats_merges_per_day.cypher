MATCH (m:Merge) WHERE m.at >= datetime() - duration({days: $days})
RETURN toString(date(m.at)) AS day, m.status AS status, count(*) AS merges
ORDER BY day, status
