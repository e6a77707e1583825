// Who holds a card: every record with a HAS_CARD to it, and the identities of those records.
MATCH (c:Card {card_id: $card_id})
OPTIONAL MATCH (c)-[:IN_DOMAIN]->(d:Domain)
OPTIONAL MATCH (r:Resident)-[h:HAS_CARD]->(c)
OPTIONAL MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
RETURN c {.card_id, .number, .card_type, .status, domain: d.code} AS card,
       [x IN collect(CASE WHEN r IS NULL THEN NULL ELSE
          {resident_id: r.resident_id, empi_id: i.empi_id, source_domain: r.source_domain} END)
        WHERE x IS NOT NULL] AS holders
