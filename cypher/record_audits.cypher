// Audit trail for reads, written in batches by the read-audit buffer.
UNWIND $rows AS row
CREATE (a:Audit)
SET a = row, a.at = datetime(row.at)
RETURN count(a) AS written
