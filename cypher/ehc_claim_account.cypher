// Find or create the account of one ID document. The unique constraint on account_key makes this
// MERGE atomic: of two concurrent registrations of one person, one creates and the other waits and
// finds it. `created` tells them apart.
MERGE (a:EhcAccount {account_key: $account_key})
ON CREATE SET a += $props, a.status = 'active', a.created_at = datetime(), a.updated_at = datetime(),
              a.is_new = true
SET a.touched_at = datetime()
WITH a, a.is_new IS NOT NULL AS created
REMOVE a.is_new
RETURN a {.*} AS account, created
