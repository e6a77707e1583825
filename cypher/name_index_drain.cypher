// The name search index, in batches: a record registered online carries the NameQueued label, and this
// moves a batch of them to NameIndexed, the label the fulltext index `resident_names` covers. A fulltext
// (Lucene) update costs about 10 ms of Neo4j CPU per transaction but about 0.1 ms per record in batches of
// hundreds, so registration leaves it to this batch (graph/name_index.py).
MATCH (r:NameQueued)
WITH r LIMIT $limit
REMOVE r:NameQueued
SET r:NameIndexed
RETURN count(r) AS indexed
