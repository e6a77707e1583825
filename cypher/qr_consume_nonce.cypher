// One-time use of a dynamic QR code: create-if-absent on the unique jti, in one statement. Of two
// concurrent scans, one creates (fresh = true); the other waits on the constraint and finds it.
MERGE (n:QrNonce {jti: $jti})
ON CREATE SET n.exp = $exp, n.used_at = datetime(), n.fresh = true
WITH n, n.fresh IS NOT NULL AS fresh
REMOVE n.fresh
RETURN fresh
