MATCH (r:Resident {source_domain: $source_domain, local_id: $local_id})-[:IDENTIFIED_AS]->(i:Identity)
RETURN r.resident_id AS resident_id, i.empi_id AS empi_id
