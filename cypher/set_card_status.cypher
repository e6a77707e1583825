MATCH (c:Card {card_id: $card_id})
WITH c, c.status AS previous
SET c.status = $status, c.status_reason = $reason, c.updated_at = datetime()
RETURN c {.*} AS card, previous
