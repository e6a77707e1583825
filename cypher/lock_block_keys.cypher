// Online registration: find or create the lock node of each blocking-key stripe of the incoming record
// (resolver.blocking.block_lock_stripes) and take its write lock, in the given (sorted) order, before
// candidates are read. Registrations sharing any blocking key (so able to see each other as candidates)
// serialise here; the later one then reads the earlier one's committed record. Bulk import does not
// take these locks (single writer). SET then REMOVE takes the node's write lock and leaves no change to
// commit (a timestamp written here cost every registration seven property writes).
UNWIND $keys AS key
MERGE (b:BlockKey {key: key})
SET b._lock = true
REMOVE b._lock
RETURN count(b) AS locked
