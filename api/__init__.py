"""HTTP (FastAPI) and the `ehc` command line: translation only, the use cases live in services/."""
