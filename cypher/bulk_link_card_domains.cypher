// Bulk import, step 3: IN_DOMAIN for the cards the batch created.
UNWIND $domains AS code
MATCH (d:Domain {code: code})
MATCH (c:Card {domain: code}) WHERE c.needs_domain
CREATE (c)-[:IN_DOMAIN]->(d)
REMOVE c.needs_domain
RETURN count(c) AS linked
