// Everything a merge may touch for the given identities (tests compare before/after an undo).
MATCH (i:Identity) WHERE i.empi_id IN $empi_ids
OPTIONAL MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
OPTIONAL MATCH (r)-[s:SAME_AS]-(o:Resident)
OPTIONAL MATCH (r)-[:HAS_CARD]->(c:Card)
OPTIONAL MATCH (i)-[:MERGED_INTO]->(into:Identity)
WITH i, into, r, collect(DISTINCT [startNode(s).resident_id, endNode(s).resident_id, s.method]) AS links,
     collect(DISTINCT c.domain + ':' + c.number) AS cards
ORDER BY r.resident_id
RETURN i.empi_id AS empi_id, i.status AS status, into.empi_id AS merged_into,
       collect({resident_id: r.resident_id, links: links, cards: cards}) AS records
ORDER BY empi_id
