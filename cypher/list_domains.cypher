MATCH (d:Domain)
WHERE ($kind IS NULL OR d.kind = $kind) AND ($status IS NULL OR d.status = $status)
RETURN d {.*} AS domain
ORDER BY d.code
