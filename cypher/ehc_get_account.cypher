// An account with its virtual card, its person record and identity, and its bound bank cards.
MATCH (a:EhcAccount {ehc_id: $ehc_id})
OPTIONAL MATCH (a)-[:HOLDS]->(c:Card)
OPTIONAL MATCH (a)-[:FOR_RECORD]->(r:Resident)
OPTIONAL MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
OPTIONAL MATCH (a)-[:HAS_BANK_CARD]->(b:EhcBankCard)
WITH a, c, r, i, b ORDER BY b.bound_at
RETURN a {.*} AS account, c {.*} AS card, r {.*} AS resident, i.empi_id AS current_empi_id,
       [x IN collect(b {.*}) WHERE x IS NOT NULL] AS bank_cards
