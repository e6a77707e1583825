// Blocking keys of the matching engine (resolver/blocking.py), one indexed property each.
CREATE INDEX resident_bk_id_number IF NOT EXISTS FOR (r:Resident) ON (r.bk_id_number);
CREATE INDEX resident_bk_id_raw IF NOT EXISTS FOR (r:Resident) ON (r.bk_id_raw);
CREATE INDEX resident_bk_pinyin_birth IF NOT EXISTS FOR (r:Resident) ON (r.bk_pinyin_birth);
CREATE INDEX resident_bk_name_birth IF NOT EXISTS FOR (r:Resident) ON (r.bk_name_birth);
CREATE INDEX resident_bk_phone IF NOT EXISTS FOR (r:Resident) ON (r.bk_phone);
CREATE INDEX resident_bk_pinyin_year_gender IF NOT EXISTS FOR (r:Resident) ON (r.bk_pinyin_year_gender);
CREATE INDEX resident_bk_birth_sorted_surname IF NOT EXISTS FOR (r:Resident) ON (r.bk_birth_sorted_surname);
CREATE INDEX resident_bk_pinyin_region IF NOT EXISTS FOR (r:Resident) ON (r.bk_pinyin_region);
// Lock objects of the blocking keys (cypher/lock_block_keys.cypher): one node per key stripe.
CREATE CONSTRAINT block_key IF NOT EXISTS FOR (b:BlockKey) REQUIRE b.key IS UNIQUE;
