// The account holds its virtual card (locked by lock_identifier) and belongs to the person record.
MATCH (a:EhcAccount {account_key: $account_key})
MATCH (r:Resident {resident_id: $resident_id})
MATCH (c:Card {domain: 'EHC', number: $ehc_id})
MERGE (a)-[:HOLDS]->(c)
MERGE (a)-[:FOR_RECORD]->(r)
RETURN c.card_id AS card_id
