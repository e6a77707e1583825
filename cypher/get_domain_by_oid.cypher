MATCH (d:Domain {oid: $oid})
RETURN d {.*} AS domain
