"""Ledger (台账) import: read a community's own .xlsx/.csv, map its columns to registry fields, check
every row (dry run), then upsert all rows in one transaction. See docs/architecture.md, "Ledger import"."""
