MATCH (a:Audit)
WHERE ($sub IS NULL OR a.sub = $sub) AND ($resource_id IS NULL OR a.resource_id = $resource_id)
  AND ($action IS NULL OR a.action = $action)
  AND ($since IS NULL OR a.at >= datetime($since)) AND ($until IS NULL OR a.at <= datetime($until))
RETURN a {.*} AS entry ORDER BY a.at DESC SKIP $offset LIMIT $limit
