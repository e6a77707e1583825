// The steward console: its user accounts, name search (hanzi and pinyin, fuzzy) and card numbers in any domain.
CREATE CONSTRAINT console_user IF NOT EXISTS FOR (u:ConsoleUser) REQUIRE u.username IS UNIQUE;
// Name search covers the NameIndexed records: registration queues a record (NameQueued) and the name indexer
// moves queued records in batches (graph/name_index.py), since a fulltext update per transaction is costly.
// It replaced `resident_name_search` over every Resident.
DROP INDEX resident_name_search IF EXISTS;
CREATE FULLTEXT INDEX resident_names IF NOT EXISTS FOR (r:NameIndexed) ON EACH [r.name, r.bk_pinyin_birth];
CREATE INDEX card_number_any_domain IF NOT EXISTS FOR (c:Card) ON (c.number);
CREATE INDEX resident_local_id IF NOT EXISTS FOR (r:Resident) ON (r.local_id);
