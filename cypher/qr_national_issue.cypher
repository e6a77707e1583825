// Record a national plain-form dynamic code at issue: create-if-absent on the unique code, so two
// issues that would print the same text (same card, same second) cannot share one record.
MERGE (q:NationalQr {code: $code})
ON CREATE SET q.ehc_id = $ehc_id, q.jti = $jti, q.exp = $exp, q.issued_at = $issued_at, q.fresh = true
WITH q, q.fresh IS NOT NULL AS created
REMOVE q.fresh
RETURN created
