"""api/routers package."""
