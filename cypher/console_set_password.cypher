// A new password (argon2 hash) or role for a console account; clears any lock-out and ends its sessions.
MATCH (u:ConsoleUser {username: $username})
SET u.password_hash = $password_hash, u.role = $role, u.failures = 0, u.locked_until = null,
    u.session_version = coalesce(u.session_version, 0) + 1
RETURN u {.username, .role} AS user
