"""Helpers of benchmarks/rls_overhead.py: the spec under test (spec), seeding any spec's tables
(seed), the CRM queries and their cases (queries), timing and plans (measure), pgbench (pgbench),
the printed tables (report)."""
