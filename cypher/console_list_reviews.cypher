// The review queue for the console: filters by status, score, source domain and region (code prefix) of
// either record, sorted by score or age.
MATCH (x:ReviewItem)
WHERE ($status IS NULL OR x.status = $status) AND x.score >= $min_score AND x.score <= $max_score
MATCH (x)-[:CANDIDATE {role: 'a'}]->(a:Resident), (x)-[:CANDIDATE {role: 'b'}]->(b:Resident)
WHERE ($domain IS NULL OR a.source_domain = $domain OR b.source_domain = $domain)
  AND ($region IS NULL OR a.region_code STARTS WITH $region OR b.region_code STARTS WITH $region)
RETURN x {.review_id, .score, .status, .created_at, .decided_by, .model_version,
          taken_by: CASE WHEN x.status = 'open' AND x.claim_until > datetime() THEN x.claimed_by END} AS item,
       a {.resident_id, .name, .source_domain, .region_code} AS a,
       b {.resident_id, .name, .source_domain, .region_code} AS b
ORDER BY CASE WHEN $sort = 'score_desc' THEN -x.score WHEN $sort = 'score_asc' THEN x.score END,
         CASE WHEN $sort = 'oldest' THEN x.created_at END,
         CASE WHEN $sort = 'newest' THEN x.created_at END DESC,
         x.created_at
SKIP $offset LIMIT $limit
