"""Stored reports are immutable in the database itself: triggers refuse UPDATE and DELETE of the daily
report (reports_dailysnapshot, reports_snapshotrow) and of the long-term report (reports_longtermreport),
on PostgreSQL and on SQLite. A bulk `QuerySet.update()` or `.delete()`, a shell, another program: all are
refused. A correction is a new version (an INSERT), as always.

UPDATE is refused always. DELETE is refused unless the snapshot guard is open in the same transaction
(`deletion_allowed`): the one sanctioned way to remove stored reports is to wipe the database
(`manage.py flush`, which the test suite runs after each transactional test; reports/management/commands/
flush.py opens the guard around Django's own flush). Nothing in Firegrid deletes a report otherwise: a
campaign with reports is protected (DailySnapshot.campaign is PROTECT).

Why a guard and not "refuse DELETE while the parent campaign exists": Django deletes children before
parents, and SQLite's flush deletes tables in no fixed order, so a rule on the parent's presence would
refuse a legitimate wipe at random. The guard is:
- PostgreSQL: a transaction-local setting (`set_config('firegrid.snapshot_guard', 'open', true)`): it ends
  with the transaction whatever happens, and no other session sees it. (PostgreSQL's flush is TRUNCATE,
  which fires no row trigger; the guard is opened anyway.)
- SQLite (no session settings): the single row of `reports_snapshot_guard`, a table that is not a Django
  model — so `flush` never empties it — set to 1 inside the transaction and back to 0 before it ends (a
  failure rolls it back to 0 with everything else); other connections never see an uncommitted 1.

SQLite drops a table's triggers when a migration rebuilds the table (ALTER TABLE emulation), so `install`
is idempotent and also runs after every `migrate` (post_migrate, apps.py); tests check the triggers are in
place on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("reports_dailysnapshot", "reports_snapshotrow", "reports_longtermreport")
GUARD_TABLE = "reports_snapshot_guard"
GUARD_SETTING = "firegrid.snapshot_guard"
MESSAGE = "stored reports are immutable: a correction is a new version"
FUNCTION = "firegrid_refuse_report_change"


def _sqlite_statements() -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {GUARD_TABLE} "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), open INTEGER NOT NULL DEFAULT 0)",
        f"INSERT OR IGNORE INTO {GUARD_TABLE} (id, open) VALUES (1, 0)",
    ]
    for table in TABLES:
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN COALESCE((SELECT open FROM {GUARD_TABLE} WHERE id = 1), 0) = 0 "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END",
        ]
    return statements


def _postgresql_statements() -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{GUARD_SETTING}', true) = 'open' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '%: {MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$"""
    ]
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}",
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        ]
    return statements


def statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements()
    if vendor == "postgresql":
        return _postgresql_statements()
    raise NotImplementedError(f"no report triggers for {vendor}")


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the report triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    return {name for name in names if name.startswith(TABLES)}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (and SQLite's guard row) where missing; safe to run again."""
    existing = set(connection.introspection.table_names())
    if not set(TABLES) <= existing:
        return  # not migrated this far yet (the migration that adds the tables installs them)
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor):
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (the migration's reverse)."""
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {GUARD_TABLE}")
        else:
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


@contextmanager
def deletion_allowed(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let this transaction delete stored reports (a database wipe). Must run inside `transaction.atomic`."""
    if not connection.in_atomic_block:
        raise RuntimeError("the snapshot guard opens only inside a transaction")
    if connection.vendor == "sqlite" and GUARD_TABLE not in connection.introspection.table_names():
        yield  # not migrated yet: there is nothing to guard
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'open', true)", [GUARD_SETTING])
        else:
            cursor.execute(f"UPDATE {GUARD_TABLE} SET open = 1 WHERE id = 1")
    try:
        yield
    except BaseException:
        # PostgreSQL: the setting ends with the transaction (and an aborted one takes no more statements).
        if connection.vendor == "sqlite":
            _close(connection)
        raise
    _close(connection)


def _close(connection: BaseDatabaseWrapper) -> None:
    if connection.needs_rollback:
        return  # the transaction is being rolled back: the guard goes back to closed with it
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, '', true)", [GUARD_SETTING])
        else:
            cursor.execute(f"UPDATE {GUARD_TABLE} SET open = 0 WHERE id = 1")
