"""The only code that speaks Bolt: driver, named queries, schema, repositories, local server."""
