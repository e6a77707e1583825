// A new password (argon2 hash) or role for a console account; clears any lock-out.
MATCH (u:ConsoleUser {username: $username})
SET u.password_hash = $password_hash, u.role = $role, u.failures = 0, u.locked_until = null
RETURN u {.username, .role} AS user
