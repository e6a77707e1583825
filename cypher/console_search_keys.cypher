// Records by an exact key: canonical ID number, phone digits, a card or hospital number in any domain,
// or an EMPI id (a null key matches nothing). Indexed equality lookups only.
CALL () {
  MATCH (r:Resident) WHERE r.bk_id_number = $id_number RETURN r, 'id_number' AS via
  UNION
  MATCH (r:Resident) WHERE r.bk_phone = $phone RETURN r, 'phone' AS via
  UNION
  MATCH (c:Card) WHERE c.number = $number
  MATCH (r:Resident)-[:HAS_CARD]->(c) RETURN r, 'card' AS via
  UNION
  MATCH (r:Resident) WHERE r.local_id = $number RETURN r, 'local_id' AS via
  UNION
  MATCH (:Identity {empi_id: $empi_id})<-[:IDENTIFIED_AS]-(r:Resident) RETURN r, 'empi_id' AS via
}
WITH r, via LIMIT $limit
MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
RETURN r {.resident_id, .name, .gender, .birth_date, .id_number, .phone, .source_domain, .local_id} AS record,
       i.empi_id AS empi_id, via
