// Dead letters queued for re-drive, with their events, in event order.
MATCH (d:Delivery {subscription_id: $subscription_id, redrive_pending: true})
MATCH (e:Event {seq: d.seq})
RETURN d {.*} AS delivery, e {.*} AS event
ORDER BY d.seq
LIMIT $limit
