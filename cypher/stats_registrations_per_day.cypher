MATCH (r:Resident) WHERE r.created_at >= datetime() - duration({days: $days})
RETURN toString(date(r.created_at)) AS day, count(*) AS registrations
ORDER BY day
