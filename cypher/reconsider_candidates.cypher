// Online reconsideration (services/reconsider.py): when a new record joins identity $empi_id, the
// records of OTHER identities it could match (its blocking keys, as in find_candidates) and the records
// under open review against any record of the identity; active records only.
// Under id_raw, a record with a valid ID number finds only records without one (two valid numbers are
// never one typo apart: resolver/blocking.py PAIRED_UNLESS_BOTH_CARRY).
CALL () {
  MATCH (r:Resident) WHERE r.bk_id_number = $k.id_number RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_id_raw = $k.id_raw AND ($k.id_number IS NULL OR r.bk_id_number IS NULL)
  RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_pinyin_birth = $k.pinyin_birth RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_name_birth = $k.name_birth RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_phone = $k.phone RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_pinyin_year_gender = $k.pinyin_year_gender RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_birth_sorted_surname = $k.birth_sorted_surname RETURN r LIMIT $per_key
  UNION
  MATCH (r:Resident) WHERE r.bk_pinyin_region = $k.pinyin_region RETURN r LIMIT $per_key
  UNION
  MATCH (:Identity {empi_id: $empi_id})<-[:IDENTIFIED_AS]-(:Resident)<-[:CANDIDATE]-(x:ReviewItem)
        -[:CANDIDATE]->(r:Resident)
  WHERE x.status = 'open'
  RETURN r LIMIT $per_key
}
WITH r WHERE r.status <> 'merged' AND r.resident_id <> $resident_id
MATCH (r)-[:IDENTIFIED_AS]->(i:Identity)
WHERE i.empi_id <> $empi_id AND i.status = 'active'
RETURN r {.resident_id, .source_domain, .local_id, .name, .gender, .birth_date, .id_type, .id_number, .ethnicity,
          .marital_status, .occupation, .phone, .address, .region_code} AS resident, i.empi_id AS empi_id
LIMIT $limit
