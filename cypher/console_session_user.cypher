// The account behind a console session, checked on every console request: its current role and the
// session version a cookie must carry (bumped by sign-out and by a new password).
MATCH (u:ConsoleUser {username: $username})
RETURN u.role AS role, coalesce(u.session_version, 0) AS session_version
