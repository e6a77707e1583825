// Console accounts, without their hashes.
MATCH (u:ConsoleUser)
RETURN u {.username, .role, .failures, locked_until: toString(u.locked_until)} AS user
ORDER BY u.username
