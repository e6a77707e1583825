// Use a national plain-form dynamic code once: no row when the service never issued it; otherwise its
// one-time nonce is created-if-absent on the unique QrNonce.jti (of two concurrent scans one is fresh).
MATCH (q:NationalQr {code: $code})
MERGE (n:QrNonce {jti: q.jti})
ON CREATE SET n.exp = q.exp, n.used_at = datetime(), n.fresh = true
WITH q, n, n.fresh IS NOT NULL AS fresh
REMOVE n.fresh
RETURN fresh, q.ehc_id AS ehc_id, q.exp AS exp, q.issued_at AS issued_at
