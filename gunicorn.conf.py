"""gunicorn in production: `gunicorn -c gunicorn.conf.py concept.wsgi` (docs/operations.md).

Every value can be changed through the environment of the service (GUNICORN_…).
"""

import os

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Rendering pages is Python work: one process per core does it, one more covers the time
# a process waits for the database. Threads let a process answer a second request while
# one waits (database, a slow client); with the page cache most requests are short.
workers = _int("GUNICORN_WORKERS", 2 * (_cores or 1) + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)

# The longest request is an upload of evidence files (25 MB) or a data import; report PDFs
# are rendered by the background worker, not in a request.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle a process after this many requests (with jitter, so they do not restart together):
# memory that a large import or export took is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The proxy on this host is trusted for X-Forwarded-* (Django reads them only with
# DJANGO_BEHIND_TLS_PROXY=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to the journal (stdout/stderr under systemd); GUNICORN_ACCESS_LOG= switches the
# access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
