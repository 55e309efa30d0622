"""gunicorn's configuration: `gunicorn -c portal/gunicorn_conf.py portal.wsgi`.

Every value can be changed through the environment (GUNICORN_BIND, WEB_CONCURRENCY,
GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS). Logs go to stderr as JSON, like the
application's (portal/logging.py); the application logs each request itself (portal.request),
so gunicorn's access log is off. With PROMETHEUS_MULTIPROC_DIR set, the folder is emptied at
start and a worker's files are retired when it exits, so /metrics adds up the live workers.
"""

import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A document upload of DOCUMENT_MAX_BYTES over a slow link fits in this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: a leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The proxies whose X-Forwarded-* headers gunicorn believes (comma-separated, or *).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Never honour a forged header a client sent with an underscore in its name.
header_map = "drop"
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"  # heartbeats off the (maybe slow) container filesystem

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": loglevel.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        },
    }


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
