"""Candidate index by (ecosystem, name) and the matchers that decide with parsed versions."""
