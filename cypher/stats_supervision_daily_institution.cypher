// Supervision: counters per institution x care step x day over a date range at one institution, newest first
// (the day index gives the order; the LIMIT stops the scan early).
MATCH (t:VerifyTally)
WHERE t.institution = $institution AND t.day >= date($from) AND t.day <= date($to)
  AND t.step <> $all_steps
RETURN t.institution AS institution, t.step AS step, t.day AS day,
       t.verifications AS verifications,
       t.accepted AS accepted,
       t.refused AS refused,
       t.expired AS expired,
       t.replayed AS replayed,
       t.forged AS forged,
       t.wrong_scene AS wrong_scene,
       t.card_cancelled AS card_cancelled,
       t.other AS other,
       t.ehc_visits AS ehc_visits,
       t.other_checks AS other_checks
ORDER BY day DESC, institution, step
LIMIT $limit
