// A record as written before the pinyin_region blocking key existed.
MATCH (r:Resident {resident_id: $resident_id})
REMOVE r.bk_pinyin_region
RETURN r.resident_id AS resident_id
