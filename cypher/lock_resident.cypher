// Read a record under its write lock (for versioned updates).
MATCH (r:Resident {resident_id: $resident_id})-[:IDENTIFIED_AS]->(i:Identity)
SET r.touched_at = datetime()
RETURN r {.*} AS resident, i.empi_id AS empi_id
