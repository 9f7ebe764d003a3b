"""Accounts, roles, sign-in and the audit log."""
