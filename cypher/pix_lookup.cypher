// Cross-index (PIX): an identifier in one domain -> the person's identifiers in the target domains.
// (card in A) <-HAS_CARD- (record) -IDENTIFIED_AS-> (identity) <-IDENTIFIED_AS- (record) -HAS_CARD-> (card in B)
MATCH (src:Card {domain: $domain, number: $number})<-[:HAS_CARD]-(:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WITH DISTINCT src, i
MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)-[:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
WHERE c <> src AND d.status = 'active' AND ($targets IS NULL OR d.code IN $targets)
  AND ($include_inactive OR c.status = 'active')
WITH i, c, d ORDER BY d.code, c.number
RETURN i.empi_id AS empi_id,
       collect(DISTINCT {domain: d.code, oid: d.oid, value: c.number, card_type: c.card_type,
                         status: c.status, card_id: c.card_id}) AS identifiers
