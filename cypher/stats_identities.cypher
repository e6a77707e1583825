MATCH (i:Identity)
RETURN i.status AS status, count(*) AS identities
ORDER BY status
