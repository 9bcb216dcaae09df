"""The append-only, tamper-evident journal that every context writes to."""
