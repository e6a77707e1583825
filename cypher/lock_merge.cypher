MATCH (m:Merge {merge_id: $merge_id})
SET m.touched_at = datetime()
RETURN m {.*} AS merge
