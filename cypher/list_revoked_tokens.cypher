// Revoked API access tokens that could still be presented (no known expiry, or not yet expired).
MATCH (t:RevokedToken)
WHERE t.expires_at IS NULL OR t.expires_at > $now
RETURN t {.*} AS token
ORDER BY t.revoked_at DESC
