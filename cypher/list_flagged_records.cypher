// Records carrying data-quality flags (optionally one flag, one source domain), a page at a time
// (keyset pagination on resident_id), with their identities.
MATCH (r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WHERE r.resident_id > $after
  AND size(coalesce(r.dq_flags, [])) > 0
  AND ($flag IS NULL OR $flag IN r.dq_flags)
  AND ($source_domain IS NULL OR r.source_domain = $source_domain)
RETURN r {.*} AS resident, i.empi_id AS empi_id
ORDER BY r.resident_id
LIMIT $limit
