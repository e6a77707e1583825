// All records with their identities, a page at a time (keyset pagination on resident_id).
MATCH (r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WHERE r.resident_id > $after
RETURN r {.*} AS resident, i.empi_id AS empi_id
ORDER BY r.resident_id
LIMIT $limit
