"""Dockerfile and entry-script rules: one module a rule, each exporting CODE and check()."""
