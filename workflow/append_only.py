"""The database's own refusal to rewrite the audit trail, on SQLite (PostgreSQL's trigger
is in migration 0003). Two triggers abort any UPDATE or DELETE of an audit event, so not
even raw SQL from the application can change history. Flushing the whole database (test
teardown, `manage.py flush`) is a table-level operation by its owner, as TRUNCATE is on
PostgreSQL: the portal's SQLite backend (portal/sqlite) lifts the triggers around it."""

TABLE = "workflow_auditevent"

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()}
        BEFORE {op} ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only ({op} refused)'); END"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]
