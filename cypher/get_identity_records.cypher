// An identity (EMPI id) with all its records and their cards, in one read: what get_identity and one
// get_resident per record return together. A merged id resolves to its survivor.
MATCH (start:Identity {empi_id: $empi_id})
OPTIONAL MATCH (start)-[:MERGED_INTO*1..10]->(later:Identity)
WITH start, later ORDER BY coalesce(later.merged_at, later.created_at) DESC
WITH start, [x IN collect(later) WHERE x.status = 'active'] AS survivors
WITH start, CASE WHEN start.status = 'active' OR size(survivors) = 0 THEN start ELSE survivors[0] END AS i
MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
CALL (r) {
  OPTIONAL MATCH (r)-[h:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
  WITH h, c, d ORDER BY h.since
  RETURN [x IN collect(CASE WHEN c IS NULL THEN NULL ELSE
            c {.*, domain_oid: d.oid, rel_id: h.rel_id, app_domain: h.app_domain, since: h.since} END)
          WHERE x IS NOT NULL] AS cards
}
WITH start, i, r, cards ORDER BY r.created_at
RETURN start.empi_id AS requested, i.empi_id AS empi_id, i.status AS status,
       collect({resident: r {.*}, empi_id: i.empi_id, cards: cards}) AS records
