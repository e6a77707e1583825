// Demo support: a few persons of the master index with a resident ID number, oldest first.
MATCH (r:Resident)
WHERE r.id_number IS NOT NULL AND r.id_type = '01' AND r.status = 'active'
WITH r.id_number AS id_number, r ORDER BY r.created_at
WITH id_number, collect(r)[0] AS r
RETURN r.name AS name, r.id_number AS id_number, r.gender AS gender, r.phone AS phone
ORDER BY r.created_at
LIMIT $limit
