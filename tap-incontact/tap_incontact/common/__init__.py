# Copied from common/__init__.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""Helpers every tap needs, written once.

This folder is the one source. `python3 tasks.py copy-common` copies it into each tap as
`tap_<name>/common/`, so that every tap stays an independent, separately installable package;
`common/tests/test_copies.py` fails when a copy differs from this source. Edit here, never a copy.
"""
