// A steward skips a review item: their lease on it ends, so the next steward can take it at once.
MATCH (x:ReviewItem {review_id: $review_id})
WHERE x.claimed_by = $by
SET x.claimed_by = null, x.claim_until = null
RETURN x.review_id AS review_id
