CREATE (i:Identity {empi_id: $empi_id, status: 'active', created_at: datetime()})
RETURN i.empi_id AS empi_id
