// Re-point records to another identity (merge, unmerge, unlink).
MATCH (target:Identity {empi_id: $empi_id})
UNWIND $resident_ids AS rid
MATCH (r:Resident {resident_id: rid})-[old:IDENTIFIED_AS]->(:Identity)
DELETE old
CREATE (r)-[:IDENTIFIED_AS {since: datetime()}]->(target)
RETURN count(r) AS moved
