// Batch resolution input, a page at a time (keyset on resident_id): only what matching reads (the
// demographics person_of takes), the record's identity and its creation time as an exact integer
// (nanoseconds since the epoch: hydrating a DateTime in the driver costs more than standardising the
// record); no blocking keys, flags or other properties, so a page stays small.
MATCH (r:Resident)-[:IDENTIFIED_AS]->(i:Identity)
WHERE r.resident_id > $after
WITH r, i
ORDER BY r.resident_id
LIMIT $limit
RETURN r.resident_id AS resident_id, i.empi_id AS empi_id,
       r.created_at.epochSeconds * 1000000000 + r.created_at.nanosecond AS created_ns,
       r {.source_domain, .local_id, .name, .gender, .birth_date, .id_number, .phone, .address, .region_code,
          .ethnicity, .marital_status, .occupation} AS fields
