"""Admin screens of access control: the audit log browser."""
