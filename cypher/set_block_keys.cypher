// Backfill (`ehc db backfill-keys`): store recomputed blocking keys (bk_* properties, a null removes
// one) on records written before a key existed or changed. Only the keys: no version bump, no change.
UNWIND $rows AS row
MATCH (r:Resident {resident_id: row.resident_id})
SET r += row.keys
RETURN count(r) AS updated
