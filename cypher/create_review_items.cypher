// Grey-band pairs for stewards, a batch at once (create_review_item.cypher for each row, same rules: the
// pair key is unique, so a pair is proposed once, and a rejected pair stays rejected).
UNWIND $rows AS row
MATCH (a:Resident {resident_id: row.a}), (b:Resident {resident_id: row.b})
MERGE (x:ReviewItem {pair_key: row.pair_key})
ON CREATE SET x.review_id = row.review_id, x.status = 'open', x.score = row.score,
              x.model_version = row.model_version, x.explanation = row.explanation, x.reason = row.reason,
              x.created_at = datetime(), x.is_new = true
WITH x, a, b
CALL (x, a, b) {
  WITH x, a, b WHERE x.is_new
  CREATE (x)-[:CANDIDATE {role: 'a'}]->(a)
  CREATE (x)-[:CANDIDATE {role: 'b'}]->(b)
  REMOVE x.is_new
}
RETURN x.review_id AS review_id, x.pair_key AS pair_key
