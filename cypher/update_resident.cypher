// Apply a change set, bump the version and keep the change in the record's history.
MATCH (r:Resident {resident_id: $resident_id})
SET r += $changes, r.version = r.version + 1, r.updated_at = datetime()
CREATE (x:Change {change_id: $change_id, resident_id: r.resident_id, version: r.version, at: datetime(),
                  by: $by, kind: $kind, fields: $fields})
CREATE (r)-[:CHANGED]->(x)
RETURN r.version AS version
