// Record the outcome of a sign-in: reset the failure count, or count one more and lock at the limit.
MATCH (u:ConsoleUser {username: $username})
SET u.failures = CASE WHEN $ok THEN 0 ELSE coalesce(u.failures, 0) + 1 END,
    u.last_sign_in = CASE WHEN $ok THEN datetime() ELSE u.last_sign_in END
SET u.locked_until = CASE WHEN NOT $ok AND u.failures >= $max_failures
                          THEN datetime() + duration({seconds: $lock_seconds}) ELSE null END,
    u.failures = CASE WHEN NOT $ok AND u.failures >= $max_failures THEN 0 ELSE u.failures END
RETURN u.failures AS failures, toString(u.locked_until) AS locked_until
