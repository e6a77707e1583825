MATCH (d:Domain {code: $code})
SET d += $props, d.updated_at = datetime()
RETURN d {.*} AS domain
