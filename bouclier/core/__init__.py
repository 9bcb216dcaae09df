"""The page shell: layout, navigation per role, home pages, security headers, e-mails."""
