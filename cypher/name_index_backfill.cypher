// Once per database (until the SchemaMark `name_index_batched` exists): records stored before the name
// search index was batched carry neither NameQueued nor NameIndexed; queue them for the indexer.
OPTIONAL MATCH (m:SchemaMark {name: 'name_index_batched'})
WITH m WHERE m IS NULL
MATCH (r:Resident)
WHERE NOT r:NameIndexed AND NOT r:NameQueued
CALL (r) {
  SET r:NameQueued
} IN TRANSACTIONS OF 10000 ROWS
