// Prune: delivered deliveries older than the retention period, at most $limit per transaction
// (failed, dead and pending ones stay, whatever their age).
MATCH (d:Delivery {status: 'delivered'})
WHERE d.delivered_at < datetime() - duration({seconds: $older_than_seconds})
WITH d LIMIT $limit
DETACH DELETE d
RETURN count(*) AS pruned
