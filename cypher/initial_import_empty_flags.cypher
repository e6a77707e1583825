// After `ehc import --initial`: the offline importer cannot write an empty list (an empty array cell is no
// property), and the online path stores `dq_flags: []` on a clean record; set it, in batches.
MATCH (r:Resident)
WHERE r.dq_flags IS NULL
CALL (r) {
  SET r.dq_flags = []
} IN TRANSACTIONS OF 50000 ROWS
