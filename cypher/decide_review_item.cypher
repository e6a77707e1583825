MATCH (x:ReviewItem {review_id: $review_id})
SET x.status = $status, x.decided_by = $by, x.decided_at = datetime(), x.decision_reason = $reason,
    x.merge_id = $merge_id
RETURN x {.*} AS item
