"""Accounts: units, users and roles, one-time set-password links, sign-in, scope and the audit log."""
