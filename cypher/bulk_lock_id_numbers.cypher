// Bulk import, step 1: find or create the ID-number cards of a batch under their write locks and
// return the identity already holding each (so the batch links to it rather than making another).
MATCH (d:Domain {code: 'ID'})
UNWIND $rows AS row
MERGE (c:Card {domain: 'ID', number: row.number})
ON CREATE SET c.card_id = row.card_id, c.card_type = 'ID', c.status = 'active', c.created_at = datetime(),
              c.is_new = true
SET c.touched_at = datetime()
WITH row, c, d
CALL (c, d) {
  WITH c, d WHERE c.is_new
  CREATE (c)-[:IN_DOMAIN]->(d)
  REMOVE c.is_new
}
OPTIONAL MATCH (c)<-[:HAS_CARD]-(:Resident)-[:IDENTIFIED_AS]->(i:Identity)
RETURN row.number AS number, collect(DISTINCT i.empi_id)[0] AS empi_id
