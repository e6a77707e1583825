// Grey-band pair for a steward. The pair key is unique, so a pair is proposed once; a rejected pair
// stays rejected (remembered) and is not reopened.
MATCH (a:Resident {resident_id: $a}), (b:Resident {resident_id: $b})
MERGE (x:ReviewItem {pair_key: $pair_key})
ON CREATE SET x.review_id = $review_id, x.status = 'open', x.score = $score, x.model_version = $model_version,
              x.explanation = $explanation, x.reason = $reason, x.created_at = datetime(), x.is_new = true
WITH x, a, b
CALL (x, a, b) {
  WITH x, a, b WHERE x.is_new
  CREATE (x)-[:CANDIDATE {role: 'a'}]->(a)
  CREATE (x)-[:CANDIDATE {role: 'b'}]->(b)
  REMOVE x.is_new
}
RETURN x.review_id AS review_id, x.status AS status
