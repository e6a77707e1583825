// Find or create an identifier card and take its write lock, so concurrent registrations of one
// identifier serialise here; returns the identities already holding it. IN_DOMAIN is created only
// with a new card (a MERGE on it would scan the domain's dense relationship list).
MATCH (d:Domain {code: $domain})
MERGE (c:Card {domain: $domain, number: $number})
ON CREATE SET c.card_id = $card_id, c.card_type = $card_type, c.status = 'active',
              c.issuer = $issuer, c.chip_number = $chip_number, c.created_at = datetime(), c.is_new = true
SET c.touched_at = datetime()
WITH c, d
CALL (c, d) {
  WITH c, d WHERE c.is_new
  CREATE (c)-[:IN_DOMAIN]->(d)
  REMOVE c.is_new
}
OPTIONAL MATCH (c)<-[:HAS_CARD]-(holder:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WITH c, holder, i ORDER BY holder.created_at
RETURN c.card_id AS card_id, c.status AS status,
       [x IN collect({resident_id: holder.resident_id, empi_id: i.empi_id}) WHERE x.resident_id IS NOT NULL] AS holders
