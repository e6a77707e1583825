// How an identity came to be: link events about it and about identities merged into it.
MATCH (i:Identity {empi_id: $empi_id})
OPTIONAL MATCH (m:Identity)-[:MERGED_INTO*1..10]->(i)
WITH i, collect(DISTINCT m) AS merged
WITH [i] + merged AS identities
UNWIND identities AS x
MATCH (e:LinkEvent)-[:ABOUT]->(x)
WITH DISTINCT e ORDER BY e.at
RETURN e {.*} AS event
