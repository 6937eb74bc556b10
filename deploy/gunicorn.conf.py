"""gunicorn settings for Tandem: `gunicorn -c deploy/gunicorn.conf.py 'portal:create_app()'`
(deploy/entrypoint.sh web runs exactly that). Each value can be read from the environment
so that one image or one unit file serves every install; see docs/deploying.md."""

import os


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("TANDEM_BIND", "0.0.0.0:8000")

# Sync workers: one request at a time each. Threaded workers work too (give
# `--worker-class gthread --threads N` on the command line; see README.md, "Search
# backends"). 2 x cores + 1 is gunicorn's advice; the cap keeps a large host from
# starting more workers than the database's connections and the memory allow (each
# worker holds about 140 MB, see docs/deploying.md, "Sizing").
worker_class = "sync"
workers = _int_env("TANDEM_WEB_WORKERS", 0) or min(2 * (os.cpu_count() or 1) + 1, 12)

# A request taking longer than this is killed and its worker replaced; uploads are
# buffered by the reverse proxy and files are read in the background, so no page
# should come near it.
timeout = 60
# SIGTERM lets requests in flight finish for this long before workers are stopped.
graceful_timeout = 20
keepalive = 5

# A worker is replaced after this many requests (the jitter keeps them from all
# restarting at once), which bounds what any slow leak can grow to.
max_requests = 1000
max_requests_jitter = 100

# The portal reads X-Forwarded-* itself (TANDEM_TRUSTED_PROXIES, werkzeug's ProxyFix),
# trusting the last hops whatever their address: gunicorn's own check agrees with it,
# so it trusts any front end when the portal is told a proxy is in front of it (the
# portal is then reachable only through that proxy), and only the loopback otherwise.
if _int_env("TANDEM_TRUSTED_PROXIES", 0) > 0:
    forwarded_allow_ips = "*"
else:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket lives at one path per user ($HOME/.gunicorn/gunicorn.ctl), so a
# second server of the same user (a second replica, a test) would take it over; and
# ProtectHome in the systemd units leaves no home to write to. Nothing here uses it.
control_socket_disable = True

# The portal logs each request itself; gunicorn's own messages go to stderr.
accesslog = None
errorlog = "-"
loglevel = "info"

# The workers' heartbeat files: in memory, since a container's disk may be slow to
# answer and a late heartbeat gets a worker killed. gunicorn makes them unlinked and
# private, so a shared folder is no risk here.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY


def child_exit(server, worker) -> None:
    """Drop a finished worker's metric files, so its live gauges stop counting
    (prometheus-client's multiprocess mode, on when PROMETHEUS_MULTIPROC_DIR is set)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
