// The account of one ID document (by its account key), if any.
MATCH (a:EhcAccount {account_key: $account_key})
RETURN a.ehc_id AS ehc_id, a.status AS status
