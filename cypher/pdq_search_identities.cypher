// PDQm (ITI-78): active identities for which every given criterion holds on some record of the identity
// (a null parameter is no criterion); a page of EMPI ids in EMPI-id order and the total.
// Names: hanzi as stored (prefix / suffix / substring), pinyin against the toneless pinyin the blocking
// keys carry (records without a birth date have none).
MATCH (i:Identity {status: 'active'})
WHERE ($empi_id IS NULL OR i.empi_id = $empi_id)
  AND ($id_domain IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(:Resident)-[:HAS_CARD]->(c:Card {domain: $id_domain, number: $id_value})
        WHERE c.status = 'active' })
  AND ($genders IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.gender IN $genders })
  AND ($birth_from IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.birth_date >= $birth_from AND r.birth_date < $birth_to })
  AND ($phone IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.phone = $phone })
  AND ($address IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.address CONTAINS $address })
  AND ($family IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name STARTS WITH $family
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) STARTS WITH $family_py })
  AND ($given IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name ENDS WITH $given
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) ENDS WITH $given_py })
  AND ($name IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name CONTAINS $name
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) CONTAINS $name_py })
WITH i ORDER BY i.empi_id
WITH collect(i.empi_id) AS ids
RETURN size(ids) AS total, ids[$offset..($offset + $count)] AS empi_ids
