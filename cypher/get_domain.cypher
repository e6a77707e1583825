MATCH (d:Domain {code: $code})
RETURN d {.*} AS domain
