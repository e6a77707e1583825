"""Cross-cutting pieces: settings, errors, privacy masking, secrets on disk."""
