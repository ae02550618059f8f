"""Benchmark reports: host runs, device imports and estimates, each figure labelled with its provenance.

`runner` times the orchestrator, `importers` reads device results (qai-hub, ax_run_model, the Android app),
`estimate` derives per-chip figures from graph costs and published chip data, `match` compares only like with like
against `reference` profiles, and `report` writes report.json (schema in `schemas/`) with its Markdown and HTML views.
"""
