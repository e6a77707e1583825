// Uniqueness that the master index relies on. Applied idempotently by `ehc db migrate`.
CREATE CONSTRAINT domain_code IF NOT EXISTS FOR (d:Domain) REQUIRE d.code IS UNIQUE;
CREATE CONSTRAINT domain_oid IF NOT EXISTS FOR (d:Domain) REQUIRE d.oid IS UNIQUE;
CREATE CONSTRAINT resident_id IF NOT EXISTS FOR (r:Resident) REQUIRE r.resident_id IS UNIQUE;
CREATE CONSTRAINT resident_source IF NOT EXISTS FOR (r:Resident) REQUIRE (r.source_domain, r.local_id) IS UNIQUE;
CREATE CONSTRAINT identity_empi IF NOT EXISTS FOR (i:Identity) REQUIRE i.empi_id IS UNIQUE;
CREATE CONSTRAINT card_id IF NOT EXISTS FOR (c:Card) REQUIRE c.card_id IS UNIQUE;
// An identifier is unique within its domain; for a card-type domain this is (card type, card number).
CREATE CONSTRAINT card_number IF NOT EXISTS FOR (c:Card) REQUIRE (c.domain, c.number) IS UNIQUE;
CREATE CONSTRAINT change_id IF NOT EXISTS FOR (x:Change) REQUIRE x.change_id IS UNIQUE;
CREATE CONSTRAINT event_seq IF NOT EXISTS FOR (e:Event) REQUIRE e.seq IS UNIQUE;
CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE;
CREATE CONSTRAINT audit_id IF NOT EXISTS FOR (a:Audit) REQUIRE a.audit_id IS UNIQUE;
CREATE CONSTRAINT link_event_id IF NOT EXISTS FOR (x:LinkEvent) REQUIRE x.event_id IS UNIQUE;
CREATE CONSTRAINT merge_id IF NOT EXISTS FOR (m:Merge) REQUIRE m.merge_id IS UNIQUE;
CREATE CONSTRAINT review_id IF NOT EXISTS FOR (x:ReviewItem) REQUIRE x.review_id IS UNIQUE;
CREATE CONSTRAINT review_pair IF NOT EXISTS FOR (x:ReviewItem) REQUIRE x.pair_key IS UNIQUE;
