"""Benchmarks (`make bench`): measured against a database of their own, never the dev data.

BENCH_DATABASE_URL names it; by default it is the configured PostgreSQL server's database
with `_bench` appended, or var/bench.sqlite3 where the portal runs on SQLite.
"""
