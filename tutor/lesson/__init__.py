"""Lessons: the YAML format, its loader and validation, and the teacher's commands."""
