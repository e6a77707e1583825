// One identity's neighbourhood: its records, their cards and domains, and the SAME_AS links between them.
MATCH (i:Identity {empi_id: $empi_id})<-[:IDENTIFIED_AS]-(r:Resident)
OPTIONAL MATCH (r)-[:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
WITH i, r, collect(CASE WHEN c IS NULL THEN NULL ELSE
       {card_id: c.card_id, domain: d.code, number: c.number, card_type: c.card_type, status: c.status} END) AS cards
OPTIONAL MATCH (r)-[s:SAME_AS]->(o:Resident)
RETURN r {.resident_id, .name, .source_domain, .local_id, .birth_date, .gender} AS record, cards,
       [x IN collect(CASE WHEN o IS NULL THEN NULL ELSE
          {to: o.resident_id, score: s.score, method: s.method, decided_by: s.decided_by} END)
        WHERE x IS NOT NULL] AS links
