// Reverse a merge: the merged identity is active again, its MERGED_INTO and the merge's SAME_AS go.
MATCH (m:Merge {merge_id: $merge_id})
MATCH (loser:Identity {empi_id: m.merged})-[link:MERGED_INTO {merge_id: m.merge_id}]->(:Identity)
DELETE link
SET loser.status = 'active', loser.merged_at = null,
    m.status = 'undone', m.undone_at = datetime(), m.undone_by = $by, m.undo_reason = $reason
WITH m
OPTIONAL MATCH (:Resident {resident_id: m.same_as_from})-[s:SAME_AS {merge_id: m.merge_id}]->(:Resident {resident_id: m.same_as_to})
DELETE s
RETURN m.merge_id AS merge_id
