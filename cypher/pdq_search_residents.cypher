// Patient demographics query (PDQ, ITI-21): active identities with a record matching every given
// criterion (a null criterion is not applied), each with its most recently updated matching record and
// the identity's active identifiers (only in $targets when given; an identity with none there is left out).
MATCH (r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WHERE i.status = 'active' AND r.status <> 'merged'
  AND ($full_name IS NULL OR r.name = $full_name)
  AND ($family IS NULL OR r.name STARTS WITH $family)
  AND ($given IS NULL OR r.name ENDS WITH $given)
  AND ($pinyin IS NULL OR r.bk_pinyin_birth STARTS WITH $pinyin)
  AND ($birth_date IS NULL OR r.birth_date = $birth_date)
  AND ($gender IS NULL OR r.gender = $gender)
  AND ($phone IS NULL OR r.phone = $phone)
  AND ($address IS NULL OR r.address CONTAINS $address)
  AND ($id_domain IS NULL OR EXISTS {
        MATCH (r)-[:HAS_CARD]->(:Card {domain: $id_domain, number: $id_value}) })
WITH i, r ORDER BY r.updated_at DESC
WITH i, collect(r)[0] AS r
CALL (i) {
  MATCH (i)<-[:IDENTIFIED_AS]-(:Resident)-[:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
  WHERE d.status = 'active' AND c.status = 'active' AND ($targets IS NULL OR d.code IN $targets)
  WITH DISTINCT c, d ORDER BY d.code, c.number
  RETURN collect({domain: d.code, oid: d.oid, value: c.number, card_type: c.card_type}) AS identifiers
}
WITH i, r, identifiers WHERE $targets IS NULL OR size(identifiers) > 0
WITH i, r, identifiers ORDER BY i.empi_id
WITH collect({empi_id: i.empi_id, resident: r {.*}, identifiers: identifiers}) AS found
RETURN size(found) AS total, found[0..$limit] AS page
