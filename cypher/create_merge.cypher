// The merge record keeps exactly what is needed to undo it (and whether a steward overrode an ID-number
// conflict to make it).
CREATE (m:Merge {merge_id: $merge_id, survivor: $survivor, merged: $merged, resident_ids: $resident_ids,
                 same_as_from: $same_as_from, same_as_to: $same_as_to, review_id: $review_id,
                 by: $by, reason: $reason, at: datetime(), status: 'active',
                 override_id_conflict: $override_id_conflict})
RETURN m.merge_id AS merge_id
