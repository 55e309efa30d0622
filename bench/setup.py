"""Point Django at the bench database before anything imports the settings."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_database_url() -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))
    return f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}"


def section_database_url(section: str, size: int) -> str:
    """A section's database for one size, beside the bench database (bench.setup.configure()
    has pointed DATABASE_URL at that one by the time a section runs): `<bench db>_<section>
    <size>` on PostgreSQL, var/bench_<section>_<size>.sqlite3 on SQLite."""
    base = os.environ.get("DATABASE_URL") or bench_database_url()
    if base.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base)
        return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{section}{size}"))
    return f"sqlite:///{BASE_DIR / 'var' / f'bench_{section}_{size}.sqlite3'}"


def signed_in_client(user):
    """Django's test client, signed in as `user` past the consent banner, as a browser is."""
    from django.test import Client
    from django.utils import timezone

    from portal.middleware import CONSENT_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[CONSENT_SESSION_KEY] = timezone.now().isoformat()
    session.save()
    return client


def create_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def configure() -> str:
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)
    else:
        (BASE_DIR / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
