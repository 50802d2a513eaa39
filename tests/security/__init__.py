"""Security suite: authorization matrix, IDOR, CSRF, redirects (issue #10)."""
