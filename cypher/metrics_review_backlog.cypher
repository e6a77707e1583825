// Review backlog for the Prometheus scrape: open items and the age of the oldest one.
MATCH (x:ReviewItem {status: 'open'})
WITH count(x) AS open_items, min(x.created_at) AS oldest
RETURN open_items,
       CASE WHEN oldest IS NULL THEN null ELSE duration.inSeconds(oldest, datetime()).seconds END
         AS oldest_open_seconds
