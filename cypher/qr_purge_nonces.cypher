// Forget nonces of codes that expired before $before (they can no longer verify anyway).
MATCH (n:QrNonce) WHERE n.exp < $before
WITH n LIMIT $limit
DELETE n
RETURN count(*) AS purged
