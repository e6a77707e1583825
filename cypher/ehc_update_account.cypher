// Account-only fields (status, nickname, contact preferences, static code id, cancellation record).
MATCH (a:EhcAccount {ehc_id: $ehc_id})
SET a += $changes, a.updated_at = datetime()
RETURN a {.*} AS account
