// Built-in identifier domains; existing ones keep their edits.
UNWIND $domains AS row
MERGE (d:Domain {code: row.code})
ON CREATE SET d += row, d.status = 'active', d.builtin = true, d.created_at = datetime(), d.updated_at = datetime()
RETURN count(d) AS domains
