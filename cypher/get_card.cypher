MATCH (c:Card {card_id: $card_id})-[:IN_DOMAIN]->(d:Domain)
OPTIONAL MATCH (c)<-[:HAS_CARD]-(r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
RETURN c {.*, domain_oid: d.oid} AS card, collect(DISTINCT i.empi_id) AS empi_ids,
       collect(DISTINCT r.resident_id) AS resident_ids
