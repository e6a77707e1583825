CREATE (d:Domain)
SET d += $props, d.status = 'active', d.builtin = false, d.created_at = datetime(), d.updated_at = datetime()
RETURN d {.*} AS domain
