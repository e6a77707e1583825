// Bulk import, step 2: records, identities and person-card relations of a batch. Records that exist
// already (same source domain + local id) are skipped, which makes re-running an import harmless.
// Every lookup is a seek on a unique constraint (Resident source, Identity empi_id, Card domain+number,
// Domain code); IN_DOMAIN is created only with a card this batch created (its card_id is the one proposed),
// never by scanning a domain's cards or relationships.
UNWIND $rows AS row
OPTIONAL MATCH (existing:Resident {source_domain: row.props.source_domain, local_id: row.props.local_id})
WITH row WHERE existing IS NULL
CREATE (r:Resident:NameIndexed)  // a batch: its fulltext update is cheap per record
SET r = row.props, r.status = 'active', r.version = 1, r.created_at = datetime(), r.updated_at = datetime()
MERGE (i:Identity {empi_id: row.empi_id})
ON CREATE SET i.status = 'active', i.created_at = datetime()
CREATE (r)-[:IDENTIFIED_AS {since: datetime()}]->(i)
WITH row, r
UNWIND row.cards AS card
MATCH (d:Domain {code: card.domain})
MERGE (c:Card {domain: card.domain, number: card.number})
ON CREATE SET c.card_id = card.card_id, c.card_type = card.card_type, c.status = 'active',
              c.created_at = datetime()
CREATE (r)-[:HAS_CARD {rel_id: card.rel_id, app_domain: row.props.source_domain, since: datetime()}]->(c)
FOREACH (_ IN CASE WHEN c.card_id = card.card_id THEN [1] ELSE [] END | CREATE (c)-[:IN_DOMAIN]->(d))
RETURN count(DISTINCT r) AS created
