// An identity (EMPI id) with its records; a merged id resolves to its survivor.
MATCH (start:Identity {empi_id: $empi_id})
OPTIONAL MATCH (start)-[:MERGED_INTO*1..10]->(later:Identity)
WITH start, later ORDER BY coalesce(later.merged_at, later.created_at) DESC
WITH start, [x IN collect(later) WHERE x.status = 'active'] AS survivors
WITH start, CASE WHEN start.status = 'active' OR size(survivors) = 0 THEN start ELSE survivors[0] END AS i
MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
WITH start, i, r ORDER BY r.created_at
RETURN start.empi_id AS requested, i.empi_id AS empi_id, i.status AS status,
       collect(r.resident_id) AS resident_ids
