// The name search index backfill (name_index_backfill.cypher) has run on this database.
MERGE (m:SchemaMark {name: 'name_index_batched'})
ON CREATE SET m.at = datetime()
