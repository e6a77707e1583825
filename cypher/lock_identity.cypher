// An identity under its write lock, with its records and their ID documents (type and number).
MATCH (i:Identity {empi_id: $empi_id})
SET i.touched_at = datetime()
WITH i
OPTIONAL MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
WITH i, r ORDER BY r.created_at
OPTIONAL MATCH (i)-[:MERGED_INTO]->(into:Identity)
RETURN i.empi_id AS empi_id, i.status AS status, i.created_at AS created_at, into.empi_id AS merged_into,
       [x IN collect(r.resident_id) WHERE x IS NOT NULL] AS resident_ids,
       collect(CASE WHEN r.id_number IS NOT NULL THEN {id_type: r.id_type, id_number: r.id_number} END)
         AS id_documents
