// PDQm (ITI-78): active identities for which every given criterion holds on some record of the identity
// (a null entry of $q is no criterion); a page of EMPI ids in EMPI-id order and the total.
// Names: hanzi as stored (prefix / suffix / substring), pinyin against the toneless pinyin the blocking
// keys carry (records without a birth date have none).
MATCH (i:Identity {status: 'active'})
WHERE ($q.empi_id IS NULL OR i.empi_id = $q.empi_id)
  AND ($q.id_domain IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(:Resident)-[:HAS_CARD]->(c:Card {domain: $q.id_domain, number: $q.id_value})
        WHERE c.status = 'active' })
  AND ($q.genders IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.gender IN $q.genders })
  AND ($q.birth_from IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.birth_date >= $q.birth_from AND r.birth_date < $q.birth_to })
  AND ($q.phone IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.phone = $q.phone })
  AND ($q.address IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident) WHERE r.address CONTAINS $q.address })
  AND ($q.family IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name STARTS WITH $q.family
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) STARTS WITH $q.family_py })
  AND ($q.given IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name ENDS WITH $q.given
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) ENDS WITH $q.given_py })
  AND ($q.name IS NULL OR EXISTS {
        MATCH (i)<-[:IDENTIFIED_AS]-(r:Resident)
        WHERE r.name CONTAINS $q.name
           OR coalesce(split(r.bk_pinyin_birth, '|')[0], split(r.bk_pinyin_year_gender, '|')[0]) CONTAINS $q.name_py })
WITH i ORDER BY i.empi_id
WITH collect(i.empi_id) AS ids
RETURN size(ids) AS total, ids[$offset..($offset + $count)] AS empi_ids
