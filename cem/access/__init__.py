"""Who may do what: principals, roles, the one permission check, share links, audit."""
