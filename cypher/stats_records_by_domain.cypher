MATCH (r:Resident)
RETURN r.source_domain AS domain, r.status AS status, count(*) AS records
ORDER BY domain, status
