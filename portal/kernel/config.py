"""Configuration read from environment variables.

Every setting has a documented environment variable (see README, "Configuration").
Secrets are never given defaults in production: `create_app` refuses to start.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _choice_env(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (os.environ.get(name) or "").strip().lower() or default
    if raw not in choices:
        raise RuntimeError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _zone_env(name: str, default: str) -> str:
    raw = (os.environ.get(name) or "").strip() or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"{name} must be a time zone such as Europe/Berlin, got {raw!r}"
        raise RuntimeError(message) from None
    return raw


def from_environment() -> dict:
    """Build the configuration mapping from the process environment."""
    env = os.environ.get("TANDEM_ENV", "development").strip().lower()
    instance = Path(os.environ.get("TANDEM_INSTANCE_PATH", DEFAULT_INSTANCE))
    production = env == "production"
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or os.environ.get("TANDEM_SECRET_KEY"),
        **_storage_settings(instance),
        **_mail_settings(),
        **_search_settings(instance),
        **_workflow_settings(),
        **_job_settings(),
        **_security_settings(production),
        **_operations_settings(),
        **_sso_settings(),
        **_chat_settings(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def _storage_settings(instance: Path) -> dict:
    """The database, the instance folder, uploads and page sizes."""
    upload_mb = _int_env("TANDEM_MAX_UPLOAD_MB", 25)
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'tandem.db'}"
        ),
        "INSTANCE_PATH": str(instance),
        "UPLOAD_FOLDER": os.environ.get("TANDEM_UPLOAD_FOLDER", str(instance / "uploads")),
        "MAX_UPLOAD_BYTES": upload_mb * 1024 * 1024,
        # A file chosen on a form that was refused for another field is kept this long
        # for the next try (content.files.pending).
        "PENDING_UPLOAD_HOURS": max(1, _int_env("TANDEM_PENDING_UPLOAD_HOURS", 24)),
        # Form fields travel with the file; leave room for them above the file limit.
        "MAX_CONTENT_LENGTH": upload_mb * 1024 * 1024 + 1024 * 1024,
        # Flask's 500 KB default per text field refuses a 200,000-character asset body
        # written in a non-Latin script (up to 4 bytes a character in UTF-8).
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "EXTRACTION_TIMEOUT_SECONDS": _int_env("TANDEM_EXTRACTION_TIMEOUT", 30),
        # Page previews: LibreOffice's conversion and the rendering together, per file.
        "PREVIEW_TIMEOUT_SECONDS": _int_env("TANDEM_PREVIEW_TIMEOUT_SECONDS", 60),
        "PREVIEW_MAX_PAGES": _int_env("TANDEM_PREVIEW_MAX_PAGES", 200),
        "PER_PAGE": _int_env("TANDEM_PER_PAGE", 24),
        # Figures every reader sees alike (the board's stage totals, the agreed glossary
        # terms) are kept this long per worker; a worker's own writes drop them at once.
        # 0 turns the keeping off.
        "SHARED_FIGURES_SECONDS": _int_env("TANDEM_SHARED_FIGURES_SECONDS", 5),
    }


def _mail_settings() -> dict:
    """Notification emails and the public address their links use."""
    return {
        # Notification emails; with no MAIL_SERVER, notifications stay in the app only.
        "MAIL_SERVER": os.environ.get("TANDEM_MAIL_SERVER", "").strip(),
        "MAIL_PORT": _int_env("TANDEM_MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("TANDEM_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("TANDEM_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool_env("TANDEM_MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("TANDEM_MAIL_FROM", "tandem@localhost"),
        "MAIL_TIMEOUT": _int_env("TANDEM_MAIL_TIMEOUT", 10),
        # Emails are read outside the site, so their links need the public address.
        "BASE_URL": os.environ.get("TANDEM_BASE_URL", "http://127.0.0.1:5000"),
    }


def _search_settings(instance: Path) -> dict:
    """The search backend, its index and its indexer."""
    return {
        "SEARCH_BACKEND": os.environ.get("TANDEM_SEARCH_BACKEND", "whoosh"),
        "SEARCH_INDEX_PATH": os.environ.get(
            "TANDEM_SEARCH_INDEX_PATH", str(instance / "search-index")
        ),
        # Postings a Whoosh rebuild sorts in memory before spilling sorted runs to disk.
        "SEARCH_REBUILD_MEMORY_MB": _int_env("TANDEM_SEARCH_REBUILD_MEMORY_MB", 512),
        # A rating or use re-ranks its asset at most once per this many seconds (0: at
        # once): a popular share link would otherwise re-index its asset on every open.
        "SEARCH_SIGNAL_DELAY_SECONDS": max(0, _int_env("TANDEM_SEARCH_SIGNAL_DELAY_SECONDS", 300)),
    }


def _workflow_settings() -> dict:
    """How reviews, reports, deals, share links and CRM imports work."""
    return {
        # "dual": a sales and a marketing reviewer approve; "single": any one reviewer.
        "REVIEW_POLICY": _choice_env("TANDEM_REVIEW_POLICY", "dual", ("dual", "single")),
        # Reports count whole days of this zone's calendar (an IANA name, e.g. Europe/Paris).
        "TIMEZONE": _zone_env("TANDEM_TIMEZONE", "UTC"),
        # Deals' amounts are in this currency (ISO 4217 code); the portal keeps one.
        "CURRENCY": (os.environ.get("TANDEM_CURRENCY", "USD").strip().upper() or "USD")[:3],
        # Days a buyer's share link works when its maker does not choose.
        "SHARE_LINK_DAYS": _int_env("TANDEM_SHARE_LINK_DAYS", 30),
        # A CRM export writing more deals than this is imported by a background job.
        "CRM_IMPORT_INLINE_ROWS": _int_env("TANDEM_CRM_IMPORT_INLINE_ROWS", 2000),
        # How a CRM export writes dates like 03/04/2026: "mdy" (US) or "dmy".
        "CRM_DATE_ORDER": _choice_env("TANDEM_CRM_DATE_ORDER", "mdy", ("mdy", "dmy")),
        # Hours a full data export may be downloaded before the sweep deletes it.
        "EXPORT_HOURS": max(1, _int_env("TANDEM_EXPORT_HOURS", 24)),
    }


def _job_settings() -> dict:
    """Where background jobs are queued: Redis when several processes share the work."""
    redis_url = os.environ.get("TANDEM_REDIS_URL", "").strip()
    return {
        "REDIS_URL": redis_url,
        # "thread": a background thread of each app process runs them (nothing to set up);
        # "redis": they wait in Redis for `flask --app portal worker` processes.
        "JOBS": _choice_env(
            "TANDEM_JOBS", "redis" if redis_url else "thread", ("thread", "redis", "held")
        ),
        # Redis keys start with this, so several portals can share one Redis.
        "JOB_NAMESPACE": os.environ.get("TANDEM_JOB_NAMESPACE", "tandem").strip() or "tandem",
        # A failed job is tried again after this delay, doubled each time up to the maximum.
        "JOB_MIN_BACKOFF_SECONDS": _int_env("TANDEM_JOB_MIN_BACKOFF_SECONDS", 15),
        "JOB_MAX_BACKOFF_SECONDS": _int_env("TANDEM_JOB_MAX_BACKOFF_SECONDS", 3600),
        # A worker silent this long is taken for dead: its unfinished jobs go to others.
        "JOB_HEARTBEAT_SECONDS": _int_env("TANDEM_JOB_HEARTBEAT_SECONDS", 60),
        # How often the schedule sweeps for work a lost message left behind.
        "JOB_SWEEP_SECONDS": _int_env("TANDEM_JOB_SWEEP_SECONDS", 10),
        # When the weekly digest goes out (a crontab line in TANDEM_TIMEZONE; empty: never).
        "DIGEST_SCHEDULE": os.environ.get("TANDEM_DIGEST_SCHEDULE", "0 7 * * mon").strip(),
    }


def _security_settings(production: bool) -> dict:
    """Rate limits, proxies, HSTS and cookies."""
    return {
        # Opens of buyers' share-link pages allowed per address.
        "SHARE_LINK_RATE_LIMIT": os.environ.get("TANDEM_SHARE_LINK_RATE_LIMIT", "120 per minute"),
        # Deal rooms, per address: opens of a room and its downloads; its page images (a
        # page load fetches one per page); the reading-time beacons of its viewer.
        "ROOM_RATE_LIMIT": os.environ.get("TANDEM_ROOM_RATE_LIMIT", "120 per minute"),
        "ROOM_PAGE_RATE_LIMIT": os.environ.get("TANDEM_ROOM_PAGE_RATE_LIMIT", "1200 per minute"),
        "ROOM_BEACON_RATE_LIMIT": os.environ.get("TANDEM_ROOM_BEACON_RATE_LIMIT", "240 per minute"),
        # Proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted, so
        # rate limits and buyers' visitor hashes see the real address; 0 trusts none.
        "TRUSTED_PROXIES": _int_env("TANDEM_TRUSTED_PROXIES", 0),
        "LOGIN_RATE_LIMIT": os.environ.get("TANDEM_LOGIN_RATE_LIMIT", "10 per minute"),
        # Password reset: requests per client address, emails per address, link lifetime.
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get(
            "TANDEM_PASSWORD_RESET_RATE_LIMIT", "5 per 15 minutes"
        ),
        "PASSWORD_RESET_EMAIL_LIMIT": os.environ.get(
            "TANDEM_PASSWORD_RESET_EMAIL_LIMIT", "3 per hour"
        ),
        "PASSWORD_RESET_MINUTES": _int_env("TANDEM_PASSWORD_RESET_MINUTES", 60),
        # Processes that share a Redis share their counts there too.
        "RATELIMIT_STORAGE_URI": os.environ.get("TANDEM_RATELIMIT_STORAGE_URI")
        or os.environ.get("TANDEM_REDIS_URL", "").strip()
        or "memory://",
        "RATELIMIT_ENABLED": _bool_env("TANDEM_RATELIMIT_ENABLED", True),
        # Tell a refused client when to try again (Retry-After on a 429, X-RateLimit-*).
        "RATELIMIT_HEADERS_ENABLED": True,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Seconds browsers keep to HTTPS for this site (Strict-Transport-Security), sent in
        # production only; 0 turns it off, e.g. while TLS is being set up.
        "HSTS_MAX_AGE": _int_env("TANDEM_HSTS_MAX_AGE", 365 * 24 * 3600),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool_env("TANDEM_SECURE_COOKIES", production),
        "REMEMBER_COOKIE_DURATION": timedelta(days=_int_env("TANDEM_REMEMBER_DAYS", 14)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool_env("TANDEM_SECURE_COOKIES", production),
        "WTF_CSRF_TIME_LIMIT": None,
        # Calls to addresses people configure (webhooks, chat tools): private networks are
        # refused unless this allows them; each call waits at most the timeout.
        "OUTBOUND_ALLOW_PRIVATE": _bool_env("TANDEM_OUTBOUND_ALLOW_PRIVATE", False),
        "OUTBOUND_TIMEOUT_SECONDS": _int_env("TANDEM_OUTBOUND_TIMEOUT_SECONDS", 10),
        # Days the webhook delivery log keeps deliveries that were sent or given up.
        "WEBHOOK_LOG_DAYS": _int_env("TANDEM_WEBHOOK_LOG_DAYS", 30),
    }


def _operations_settings() -> dict:
    """Logs and who may read the metrics."""
    return {
        # "text" for people reading a terminal, "json" (one object a line) for collectors.
        "LOG_FORMAT": _choice_env("TANDEM_LOG_FORMAT", "text", ("text", "json")),
        # A scrape of /metrics must send "Authorization: Bearer <token>" when set.
        "METRICS_TOKEN": os.environ.get("TANDEM_METRICS_TOKEN", "").strip(),
        # Networks allowed to scrape /metrics (e.g. "10.0.0.0/8,127.0.0.1/32"); with
        # neither this nor the token set, only loopback addresses may.
        "METRICS_ALLOW": os.environ.get("TANDEM_METRICS_ALLOW", "").strip(),
    }


def _sso_settings() -> dict:
    """How people sign in: passwords, a company's OpenID Connect provider, or both. The
    accounts feature checks these at startup (see README, "Single sign-on")."""
    return {
        # "local": passwords only; "oidc": the provider only; "both": either.
        "AUTH_MODE": _choice_env("TANDEM_AUTH", "local", ("local", "oidc", "both")),
        # The provider's issuer URL, exactly as its discovery document names it.
        "OIDC_ISSUER": os.environ.get("TANDEM_OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("TANDEM_OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("TANDEM_OIDC_CLIENT_SECRET", "").strip(),
        "OIDC_SCOPES": " ".join(
            (os.environ.get("TANDEM_OIDC_SCOPES") or "openid email profile").split()
        ),
        # The ID token (or userinfo) claim that lists the person's groups.
        "OIDC_GROUPS_CLAIM": os.environ.get("TANDEM_OIDC_GROUPS_CLAIM", "").strip() or "groups",
        # Shown on the button: "Sign in with <name>".
        "OIDC_PROVIDER_NAME": os.environ.get("TANDEM_OIDC_PROVIDER_NAME", "").strip()
        or "single sign-on",
        # "group=role[:department];..." — which groups may sign in, and as what.
        "OIDC_GROUPS": os.environ.get("TANDEM_OIDC_GROUPS", "").strip(),
        # How long a sign-in link from `users break-glass` works.
        "BREAK_GLASS_MINUTES": 15,
    }


def _chat_settings() -> dict:
    """Slack and Microsoft Teams: secrets, so only ever from the environment."""
    return {
        # A Slack app's bot token (xoxb-…): notifications go as direct messages.
        "SLACK_BOT_TOKEN": os.environ.get("TANDEM_SLACK_BOT_TOKEN", "").strip(),
        # Or a Slack incoming webhook: notifications go to its channel, naming the person.
        "SLACK_WEBHOOK_URL": os.environ.get("TANDEM_SLACK_WEBHOOK_URL", "").strip(),
        # The Slack app's signing secret: turns on the /tandem slash command.
        "SLACK_SIGNING_SECRET": os.environ.get("TANDEM_SLACK_SIGNING_SECRET", "").strip(),
        "SLACK_API_URL": os.environ.get("TANDEM_SLACK_API_URL", "").strip()
        or "https://slack.com/api",
        "SLACK_COMMAND_RATE_LIMIT": os.environ.get(
            "TANDEM_SLACK_COMMAND_RATE_LIMIT", "60 per minute"
        ),
        # A Teams incoming webhook or workflow URL: notifications go to its channel.
        "TEAMS_WEBHOOK_URL": os.environ.get("TANDEM_TEAMS_WEBHOOK_URL", "").strip(),
    }


def check_secret_key(app) -> None:
    """Refuse to start in production without SECRET_KEY; elsewhere make one per process."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError(
            "SECRET_KEY is not set. Tandem refuses to start in production without it: "
            "export SECRET_KEY to a long random value."
        )
    # Development and tests: a per-process key, so sessions end when the server restarts.
    app.config["SECRET_KEY"] = secrets.token_hex(32)
