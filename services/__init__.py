"""Use cases that combine the graph (graph/) and the matching rules (resolver/); called by api/ and the CLI."""
