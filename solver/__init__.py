"""Derive the answers of CNN homework problems from their YAML specs.

Flow: spec YAML -> validated :class:`solver.spec.Problem` -> answer key
(:class:`solver.key.AnswerKey`) -> renderers (YAML, JSON, Markdown).
"""
