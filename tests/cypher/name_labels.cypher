// Test support: the name search labels of a record.
MATCH (r:Resident {resident_id: $resident_id})
RETURN [l IN labels(r) WHERE l STARTS WITH 'Name'] AS labels
