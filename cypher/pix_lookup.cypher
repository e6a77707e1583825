// Cross-index (PIX): an identifier in one domain -> the person's identifiers in the target domains.
// (card in A) <-HAS_CARD- (record) -IDENTIFIED_AS-> (identity) <-IDENTIFIED_AS- (record) -HAS_CARD-> (card in B)
// Also the ID documents of all the identity's records (to flag an identity holding two valid ID numbers).
MATCH (src:Card {domain: $domain, number: $number})<-[:HAS_CARD]-(:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WITH DISTINCT src, i
MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)-[:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
WHERE c <> src AND d.status = 'active' AND ($targets IS NULL OR d.code IN $targets)
  AND ($include_inactive OR c.status = 'active')
WITH i, c, d ORDER BY d.code, c.number
WITH i, collect(DISTINCT {domain: d.code, oid: d.oid, value: c.number, card_type: c.card_type,
                          status: c.status, card_id: c.card_id}) AS identifiers
CALL (i) {
  MATCH (i)<-[:IDENTIFIED_AS]-(x:Resident) WHERE x.id_number IS NOT NULL
  RETURN collect({id_type: x.id_type, id_number: x.id_number}) AS id_documents
}
RETURN i.empi_id AS empi_id, identifiers, id_documents
