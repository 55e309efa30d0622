"""What the database itself does for the audit trail. On SQLite, its refusal to rewrite
it (PostgreSQL's trigger is in migration 0003); on PostgreSQL, reading the hash chain's head
under its lock. Two triggers abort any UPDATE or DELETE of an audit event, so not
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

# The chain's head, read under its lock in one round trip (workflow/chain.py `head`).
PG_CHAIN_HEAD = f"""
CREATE OR REPLACE FUNCTION workflow_audit_chain_head(lock_key bigint) RETURNS text AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM {TABLE} ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
PG_CHAIN_HEAD_DROP = "DROP FUNCTION IF EXISTS workflow_audit_chain_head(bigint)"
