// Deliveries of one subscription in event order, optionally of one status, from a sequence number.
MATCH (d:Delivery {subscription_id: $subscription_id})
WHERE d.seq >= $from_seq AND ($status IS NULL OR d.status = $status)
RETURN d {.*} AS delivery
ORDER BY d.seq, d.generation
LIMIT $limit
