// A person record fed from a source domain, its identity, and its local identifier in that domain.
MATCH (src:Domain {code: $props.source_domain})
CREATE (r:Resident)
SET r = $props, r.status = 'active', r.version = 1, r.created_at = datetime(), r.updated_at = datetime()
MERGE (i:Identity {empi_id: $empi_id})
ON CREATE SET i.status = 'active', i.created_at = datetime()
CREATE (r)-[:IDENTIFIED_AS {since: datetime()}]->(i)
RETURN r.resident_id AS resident_id, i.empi_id AS empi_id
