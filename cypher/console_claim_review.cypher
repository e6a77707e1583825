// A steward opens a review item: an open item not held by another steward's live lease is claimed for
// $seconds (the holder renews it); returns who holds it now and whether the caller does.
MATCH (x:ReviewItem {review_id: $review_id})
SET x.touched_at = datetime()
WITH x, x.status = 'open' AND (x.claimed_by IS NULL OR x.claimed_by = $by OR x.claim_until IS NULL
                               OR x.claim_until < datetime()) AS mine
SET x.claimed_by = CASE WHEN mine THEN $by ELSE x.claimed_by END,
    x.claim_until = CASE WHEN mine THEN datetime() + duration({seconds: $seconds}) ELSE x.claim_until END
RETURN x.claimed_by AS claimed_by, toString(x.claim_until) AS claim_until, mine
