"""Blind judging: judges, frozen works and their anonymised copies, assignment, scoring."""
