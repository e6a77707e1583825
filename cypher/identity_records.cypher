// Active identities among $empi_ids with every record (all properties) and when each identity was issued.
MATCH (i:Identity)<-[:IDENTIFIED_AS]-(r:Resident)
WHERE i.empi_id IN $empi_ids AND i.status = 'active'
WITH i, r ORDER BY r.created_at
RETURN i.empi_id AS empi_id, i.created_at AS created_at, collect(r {.*}) AS records
