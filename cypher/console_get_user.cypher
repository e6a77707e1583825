// A console account with its hash and lock-out state, read under its write lock (one sign-in decision at a time).
MATCH (u:ConsoleUser {username: $username})
SET u.touched_at = datetime()
RETURN u {.username, .role, .password_hash, .failures, locked_until: toString(u.locked_until),
          session_version: coalesce(u.session_version, 0)} AS user
