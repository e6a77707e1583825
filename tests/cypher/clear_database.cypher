// Test support: remove everything (the test fixtures re-seed the built-in domains).
MATCH (n) DETACH DELETE n
