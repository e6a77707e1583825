// Test support: a record as stored before the name search index was batched (no name label), in a
// database the backfill has not run on (no schema mark).
MATCH (r:Resident {resident_id: $resident_id})
REMOVE r:NameQueued:NameIndexed
WITH count(r) AS records
OPTIONAL MATCH (m:SchemaMark {name: 'name_index_batched'})
DELETE m
RETURN records
