// Supervision: per-institution totals over a date range, from the all-steps counters.
MATCH (t:VerifyTally)
WHERE t.step = $all_steps AND t.day >= date($from) AND t.day <= date($to)
RETURN t.institution AS institution,
       sum(t.verifications) AS verifications,
       sum(t.accepted) AS accepted,
       sum(t.refused) AS refused,
       sum(t.expired) AS expired,
       sum(t.replayed) AS replayed,
       sum(t.forged) AS forged,
       sum(t.wrong_scene) AS wrong_scene,
       sum(t.card_cancelled) AS card_cancelled,
       sum(t.other) AS other,
       sum(t.ehc_visits) AS ehc_visits,
       sum(t.other_checks) AS other_checks
ORDER BY institution
