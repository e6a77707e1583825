// Supervision counters per institution x care step x day (step $all_steps: all steps of the day),
// added to by the same write as the audit entries they count. Writing _lock first takes the node's
// write lock, so concurrent increments never read a stale count.
UNWIND $rows AS row
MERGE (t:VerifyTally {key: row.key})
ON CREATE SET t.institution = row.institution, t.step = row.step, t.day = date(row.day),
              t.verifications = 0, t.accepted = 0, t.refused = 0, t.expired = 0, t.replayed = 0, t.forged = 0,
              t.wrong_scene = 0, t.card_cancelled = 0, t.other = 0, t.ehc_visits = 0, t.other_checks = 0
SET t._lock = true
SET t.verifications = t.verifications + row.verifications,
    t.accepted = t.accepted + row.accepted,
    t.refused = t.refused + row.refused,
    t.expired = t.expired + row.expired,
    t.replayed = t.replayed + row.replayed,
    t.forged = t.forged + row.forged,
    t.wrong_scene = t.wrong_scene + row.wrong_scene,
    t.card_cancelled = t.card_cancelled + row.card_cancelled,
    t.other = t.other + row.other,
    t.ehc_visits = t.ehc_visits + row.ehc_visits,
    t.other_checks = t.other_checks + row.other_checks
REMOVE t._lock
RETURN count(t) AS tallied
