"""Feedback: named mistakes, levels, expansions and echoes of how an answer was read."""
