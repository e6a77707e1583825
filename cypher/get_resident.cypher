MATCH (r:Resident {resident_id: $resident_id})-[:IDENTIFIED_AS]->(i:Identity)
OPTIONAL MATCH (r)-[h:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
WITH r, i, h, c, d ORDER BY h.since
RETURN r {.*} AS resident, i.empi_id AS empi_id,
       [x IN collect(CASE WHEN c IS NULL THEN NULL ELSE
          c {.*, domain_oid: d.oid, rel_id: h.rel_id, app_domain: h.app_domain, since: h.since} END)
        WHERE x IS NOT NULL] AS cards
