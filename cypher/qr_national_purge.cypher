// Forget issue records of national dynamic codes that expired before $before (they can no longer verify).
MATCH (q:NationalQr) WHERE q.exp < $before
WITH q LIMIT $limit
DELETE q
RETURN count(*) AS purged
