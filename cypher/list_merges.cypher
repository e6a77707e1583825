MATCH (m:Merge) WHERE $empi_id IS NULL OR m.survivor = $empi_id OR m.merged = $empi_id
RETURN m {.*} AS merge ORDER BY m.at DESC LIMIT $limit
