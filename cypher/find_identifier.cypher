// The records and identities that hold one identifier (domain code + value).
MATCH (c:Card {domain: $domain, number: $number})
OPTIONAL MATCH (c)<-[:HAS_CARD]-(r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WITH c, r, i ORDER BY r.created_at
RETURN c.card_id AS card_id, c.status AS status,
       [x IN collect({resident_id: r.resident_id, empi_id: i.empi_id}) WHERE x.resident_id IS NOT NULL] AS holders
