// Every node with its labels and properties (backup round-trip checks on small graphs).
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS props
