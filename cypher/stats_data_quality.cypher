// Data-quality flags counted per source domain and flag (a record with two flags counts under both).
MATCH (r:Resident)
WHERE size(coalesce(r.dq_flags, [])) > 0
UNWIND r.dq_flags AS flag
RETURN r.source_domain AS domain, flag, count(*) AS records
ORDER BY domain, flag
