"""Pure identity resolution: standardise, block, compare, score, cluster, explain. No I/O here."""
