// Every relationship with its type, properties and both ends (backup round-trip checks on small graphs).
MATCH (a)-[r]->(b)
RETURN type(r) AS type, properties(r) AS props, labels(a) AS from_labels, properties(a) AS from_props,
       labels(b) AS to_labels, properties(b) AS to_props
