// Sign-out: a new session version, so every cookie issued before it (a copied one too) stops working.
MATCH (u:ConsoleUser {username: $username})
SET u.session_version = coalesce(u.session_version, 0) + 1
RETURN u.session_version AS session_version
