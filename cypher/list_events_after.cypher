MATCH (e:Event) WHERE e.seq > $after
RETURN e {.*} AS event ORDER BY e.seq LIMIT $limit
