"""Benchmarks of the briefing pipeline on synthetic feeds served from 127.0.0.1.

Run with ``python -m benchmarks`` from the project root (pysbd installs a top-level package also
named ``benchmarks``; the project root comes first on ``sys.path`` there, so this one wins).
"""
