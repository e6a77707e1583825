MATCH (loser:Identity {empi_id: $merged}), (survivor:Identity {empi_id: $survivor})
SET loser.status = 'merged', loser.merged_at = datetime()
CREATE (loser)-[:MERGED_INTO {merge_id: $merge_id, at: datetime()}]->(survivor)
RETURN loser.empi_id AS empi_id
