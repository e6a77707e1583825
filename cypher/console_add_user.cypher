// A console account (steward or admin); the password is an argon2 hash. Fails on an existing name.
CREATE (u:ConsoleUser {username: $username, role: $role, password_hash: $password_hash, failures: 0,
                       locked_until: null, created_at: datetime()})
RETURN u {.username, .role} AS user
