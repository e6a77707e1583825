// What an `ehc import --initial` would replace: nodes by label other than the identifier domains
// (which the offline import carries over) and the schema marks (migrate sets them again). A database
// holding any of these is not empty.
MATCH (n)
WHERE NOT n:Domain AND NOT n:SchemaMark
RETURN labels(n) AS labels, count(*) AS nodes
