MATCH (c:Card)
RETURN c.domain AS domain, c.card_type AS card_type, c.status AS status, count(*) AS cards
ORDER BY domain, card_type, status
