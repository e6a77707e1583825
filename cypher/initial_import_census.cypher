// What an `ehc import --initial` would replace: nodes by label other than the identifier domains
// (which the offline import carries over). A database holding any of these is not empty.
MATCH (n)
WHERE NOT n:Domain
RETURN labels(n) AS labels, count(*) AS nodes
