MATCH (x:ReviewItem {pair_key: $pair_key})
RETURN x.review_id AS review_id, x.status AS status
