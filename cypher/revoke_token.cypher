// Revoke an API access token by its id (jti). Idempotent: revoking again keeps the first record.
MERGE (t:RevokedToken {jti: $jti})
  ON CREATE SET t.revoked_at = datetime(), t.revoked_by = $by, t.reason = $reason, t.expires_at = $expires_at
RETURN t {.*} AS token
