MATCH (r:Resident {resident_id: $resident_id})-[:CHANGED]->(x:Change)
RETURN x {.*} AS change
ORDER BY x.version
