// The identifier domains with all their properties, carried over by `ehc import --initial` (the offline
// importer writes a new store, so the domains created beforehand are written into it again).
MATCH (d:Domain)
RETURN properties(d) AS props
ORDER BY d.code
