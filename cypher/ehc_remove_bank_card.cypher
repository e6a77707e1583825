// Unbind a bank card of an account; returns what was removed (nothing when it is not that account's).
MATCH (a:EhcAccount {ehc_id: $ehc_id})-[:HAS_BANK_CARD]->(b:EhcBankCard {bank_card_id: $bank_card_id})
WITH b, b {.*} AS gone
DETACH DELETE b
RETURN gone
