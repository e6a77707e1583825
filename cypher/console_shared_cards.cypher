// Cards of an identity's records also held by records of other identities (a card held by two identities).
MATCH (:Identity {empi_id: $empi_id})<-[:IDENTIFIED_AS]-(:Resident)-[:HAS_CARD]->(c:Card)
MATCH (c)<-[:HAS_CARD]-(o:Resident)-[:IDENTIFIED_AS]->(oi:Identity)
WHERE oi.empi_id <> $empi_id
RETURN DISTINCT c.card_id AS card_id, o.resident_id AS resident_id, oi.empi_id AS empi_id
