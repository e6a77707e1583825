// Supervision counters (VerifyTally): one node per institution x care step x day, MERGEd on its key.
CREATE CONSTRAINT verify_tally_key IF NOT EXISTS FOR (t:VerifyTally) REQUIRE t.key IS UNIQUE;
CREATE INDEX verify_tally_step_day IF NOT EXISTS FOR (t:VerifyTally) ON (t.step, t.day);
CREATE INDEX verify_tally_institution_day IF NOT EXISTS FOR (t:VerifyTally) ON (t.institution, t.day);
CREATE INDEX verify_tally_day IF NOT EXISTS FOR (t:VerifyTally) ON (t.day);
