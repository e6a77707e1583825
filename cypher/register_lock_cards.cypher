// Online registration, statement 1: find or create the record's own local identifier (MRN card) and take
// its write lock, so concurrent feeds of one source record serialise here; `existing` is the record
// already fed under it, if any (the later feeds then answer with that record). Only when there is none,
// then find or create and lock the record's other identifiers ($cards: its ID card, then the cards it
// carries, in the one sorted order every registration uses, so two feeds carrying the same cards do not
// deadlock), each with the identities already holding it and its domain's status (a missing domain
// leaves its card out). One round trip for what were lock_source + one lock_identifier per card + a
// read of each domain. IN_DOMAIN is created only with a new card. SET then REMOVE `_lock` takes a card's
// write lock without a property change to commit.
MATCH (sd:Domain {code: $source.domain})
MERGE (s:Card {domain: $source.domain, number: $source.number})
ON CREATE SET s.card_id = $source.card_id, s.card_type = 'MRN', s.status = 'active', s.created_at = datetime(),
              s.is_new = true
SET s._lock = true
REMOVE s._lock
WITH s, sd
CALL (s, sd) {
  WITH s, sd WHERE s.is_new
  CREATE (s)-[:IN_DOMAIN]->(sd)
  REMOVE s.is_new
}
OPTIONAL MATCH (r:Resident {source_domain: $source.domain, local_id: $source.number})
WITH sd, r.resident_id AS existing
CALL (existing) {
  WITH existing WHERE existing IS NULL
  UNWIND range(0, size($cards) - 1) AS n
  WITH n, $cards[n] AS card
  MATCH (d:Domain {code: card.domain})
  MERGE (c:Card {domain: card.domain, number: card.number})
  ON CREATE SET c.card_id = card.card_id, c.card_type = card.card_type, c.status = 'active',
                c.issuer = card.issuer, c.chip_number = card.chip_number, c.created_at = datetime(),
                c.is_new = true
  SET c._lock = true
  REMOVE c._lock
  WITH n, card, c, d
  CALL (c, d) {
    WITH c, d WHERE c.is_new
    CREATE (c)-[:IN_DOMAIN]->(d)
    REMOVE c.is_new
  }
  CALL (c) {
    OPTIONAL MATCH (c)<-[:HAS_CARD]-(holder:Resident)-[:IDENTIFIED_AS]->(i:Identity)
    WITH holder, i ORDER BY holder.created_at
    RETURN [x IN collect({resident_id: holder.resident_id, empi_id: i.empi_id})
            WHERE x.resident_id IS NOT NULL] AS holders
  }
  WITH n, card, c, d, holders ORDER BY n
  RETURN collect({index: n, card_id: c.card_id, domain_status: d.status, holders: holders}) AS cards
}
RETURN existing, sd.status AS source_status, cards
