// Audit trail for reads, written in batches by the read-audit buffer. MERGE on the unique audit_id:
// a batch retried after an unknown commit outcome (Neo4j lost mid-commit) is written once.
UNWIND $rows AS row
MERGE (a:Audit {audit_id: row.audit_id})
ON CREATE SET a = row, a.at = datetime(row.at)
RETURN count(a) AS written
