// Records (NameIndexed: the console drains the name queue first) whose name (hanzi) or toneless pinyin matches a Lucene query of the fulltext index
// (fuzzy terms for typos), best first.
CALL db.index.fulltext.queryNodes('resident_names', $lucene, {limit: $limit * 4}) YIELD node, score
WITH node AS r, score WHERE r.status <> 'merged'
MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
RETURN r {.resident_id, .name, .gender, .birth_date, .id_number, .phone, .source_domain, .local_id} AS record,
       i.empi_id AS empi_id, score
ORDER BY score DESC
LIMIT $limit
