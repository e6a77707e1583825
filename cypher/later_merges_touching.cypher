// Active merges made after a given one that moved any of the given records (they must be undone first).
MATCH (m:Merge {status: 'active'})
WHERE m.at > $after AND any(rid IN m.resident_ids WHERE rid IN $resident_ids)
RETURN m.merge_id AS merge_id ORDER BY m.at DESC
