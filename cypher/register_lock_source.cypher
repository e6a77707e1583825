// Online registration, statement 1: find or create the record's own local identifier (MRN card) and take
// its write lock, so concurrent feeds of one source record serialise here; returns the record already
// fed under it, if any (the later feeds then answer with that record). One round trip for what were
// lock_identifier + find_resident_by_source.
MATCH (d:Domain {code: $domain})
MERGE (c:Card {domain: $domain, number: $number})
ON CREATE SET c.card_id = $card_id, c.card_type = 'MRN', c.status = 'active', c.created_at = datetime(),
              c.is_new = true
SET c.touched_at = datetime()
WITH c, d
CALL (c, d) {
  WITH c, d WHERE c.is_new
  CREATE (c)-[:IN_DOMAIN]->(d)
  REMOVE c.is_new
}
OPTIONAL MATCH (r:Resident {source_domain: $domain, local_id: $number})
RETURN c.card_id AS card_id, r.resident_id AS existing
