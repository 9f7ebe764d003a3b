"""Benchmarks with budgets: `make bench` (`python -m bench`) measures a real hub and rewrites docs/benchmarks.md.

The bench seeds a throwaway hub, serves it with `communityhub run` pinned to one CPU beside a bare
"hello world" Flask app under the same waitress settings, and checks each figure against `budgets.BUDGETS`.
Every request goes to 127.0.0.1; every loop is bounded in count and time; every server it starts is
stopped before it exits. Measures are listed in `measures.MEASURES`.
"""
