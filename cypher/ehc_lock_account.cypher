// The account under its write lock (changes to one account serialise here), with card, record, bank cards.
MATCH (a:EhcAccount {ehc_id: $ehc_id})
SET a.touched_at = datetime()
WITH a
OPTIONAL MATCH (a)-[:HOLDS]->(c:Card)
OPTIONAL MATCH (a)-[:FOR_RECORD]->(r:Resident)
OPTIONAL MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
OPTIONAL MATCH (a)-[:HAS_BANK_CARD]->(b:EhcBankCard)
WITH a, c, r, i, b ORDER BY b.bound_at
RETURN a {.*} AS account, c {.*} AS card, r {.*} AS resident, i.empi_id AS current_empi_id,
       [x IN collect(b {.*}) WHERE x IS NOT NULL] AS bank_cards
