MATCH (r:Resident {resident_id: $resident_id})-[h:HAS_CARD]->(c:Card {card_id: $card_id})
WITH h, c, h.rel_id AS rel_id
DELETE h
RETURN rel_id, c.domain AS domain, c.number AS number
