"""SQLite as Django ships it, but for one thing: flushing the database (test teardown,
`manage.py flush`) lifts the audit trail's append-only triggers around its DELETEs and puts
them back (workflow/append_only.py), as TRUNCATE passes PostgreSQL's row trigger."""

from django.db.backends.sqlite3 import base, operations

from workflow.append_only import SQLITE_CREATE, SQLITE_DROP, TABLE


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if TABLE not in tables:
            return statements
        return [*SQLITE_DROP, *statements, *SQLITE_CREATE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
