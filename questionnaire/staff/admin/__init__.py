"""Admins: staff accounts, the audit log, alert routing and API tokens."""
