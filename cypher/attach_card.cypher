// Person-card relation (人卡关系): the card must already be locked by lock_identifier.
MATCH (r:Resident {resident_id: $resident_id})
MATCH (c:Card {domain: $domain, number: $number})
MERGE (r)-[h:HAS_CARD]->(c)
ON CREATE SET h.rel_id = $rel_id, h.app_domain = $app_domain, h.since = datetime()
RETURN h.rel_id AS rel_id, c.card_id AS card_id
