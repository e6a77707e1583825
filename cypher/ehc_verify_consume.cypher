// A dynamic QR code scanned at a care step, in one write statement: the account of the code's card as
// ehc_get_account reads it and, only when the account may verify (not cancelled, its card active: the
// checks of services/healthcard_qr.py _card_active), the one-time use of the code as qr_consume_nonce
// spends it. A refused card leaves the code unspent ($fresh null). No account, no row.
MATCH (a:EhcAccount {ehc_id: $ehc_id})
OPTIONAL MATCH (a)-[:HOLDS]->(c:Card)
OPTIONAL MATCH (a)-[:FOR_RECORD]->(r:Resident)
OPTIONAL MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
OPTIONAL MATCH (a)-[:HAS_BANK_CARD]->(b:EhcBankCard)
WITH a, c, r, i, b ORDER BY b.bound_at
WITH a, c, r, i, [x IN collect(b {.*}) WHERE x IS NOT NULL] AS bank_cards
CALL (a, c) {
  WITH a, c WHERE coalesce(a.status, 'active') <> 'cancelled' AND coalesce(c.status, 'active') = 'active'
  MERGE (n:QrNonce {jti: $jti})
  ON CREATE SET n.exp = $exp, n.used_at = datetime(), n.fresh = true
  WITH n, n.fresh IS NOT NULL AS fresh
  REMOVE n.fresh
  RETURN collect(fresh)[0] AS fresh
}
RETURN a {.*} AS account, c {.*} AS card, r {.*} AS resident, i.empi_id AS current_empi_id, bank_cards, fresh
