// Bind a bank card: only its opaque token, bank and last four digits are stored.
MATCH (a:EhcAccount {ehc_id: $ehc_id})
CREATE (b:EhcBankCard {bank_card_id: $bank_card_id, token: $token, bank: $bank, last4: $last4,
                       length: $length, bound_at: datetime()})
CREATE (a)-[:HAS_BANK_CARD]->(b)
RETURN b {.*} AS bank_card
