"""Documents: every YAML file threatlib reads, the user's models and the library's entries alike.

A reader that keeps each value's line and column (yaml_source.py), validation into pydantic types with one
positioned problem per mistake (validate.py), the field types and sources both formats share (common.py), the
rule for what a claim's sources must be (sources.py), and the REPLACE: marks of a started file (placeholders.py).
Load (threatlib/spec) and the library (threatlib/library) read through it; it imports neither.
"""
