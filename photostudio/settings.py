"""Photostudio settings: one file, every deployment-specific value read from the environment.

With nothing set it runs on its embedded defaults (SQLite, tasks run in-process, mail printed to the
console), so a newcomer needs no server. See README.md for the variables.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only suits a development machine: `check --deploy` flags it (security.W009),
# `make prod` refuses to start with it, and so do these settings when HTTPS is on.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# HTTPS=1 in production (behind a TLS-terminating proxy that sets X-Forwarded-Proto): secure
# cookies, redirect to https, a year of HSTS.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS and SECRET_KEY.startswith("django-insecure"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY to a long random value: production needs its own.")

STUDIO_NAME = env("STUDIO_NAME", default="Northlight Studio")
STUDIO_EMAIL = env("STUDIO_EMAIL", default="hello@northlight.example")
CURRENCY_SYMBOL = env("CURRENCY_SYMBOL", default="£")
# The site's public address, for links in emails (which have no request to take it from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "sesame",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "photostudio",
    "bookings",
    "galleries",
    "payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "photostudio.input_guard.HostileInputMiddleware",  # a plain 400 for NUL bytes, non-UTF-8 input, stray files
    "photostudio.studio_zone.StudioTimeZoneMiddleware",  # times shown and read in the studio's zone
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a refused attempt gets RATELIMIT_VIEW's 429
    "csp.middleware.CSPMiddleware",
    "photostudio.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out admin sign-in
]

ROOT_URLCONF = "photostudio.urls"
WSGI_APPLICATION = "photostudio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "photostudio.context_processors.studio",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:password@127.0.0.1:5432/photostudio (psycopg 3).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent writers queue instead of
    # failing half-way; wait rather than error while another holds it.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # A file (not memory) so a Celery worker started by a test can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker, tasks and cache -------------------------------------------------------------------
# REDIS_URL set: Celery sends tasks through Redis to separate workers.
# REDIS_URL unset: tasks run in-process, at once (no server needed on a development machine).
REDIS_URL = env("REDIS_URL", default="")

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True

# Redis hands an unacknowledged task (its worker died) to another worker after this many seconds.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)
# A photo claimed by a worker longer ago than this is taken to be abandoned and may be redone.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # With a short timeout, look for abandoned messages as often (the transport's default: ~100 s).
    **({"unacked_restore_interval": 1, "unacked_restore_throttle": 1} if CELERY_VISIBILITY_TIMEOUT < 60 else {}),
}
PHOTO_CLAIM_TIMEOUT = env.int("PHOTO_CLAIM_TIMEOUT", default=10 * 60)
# A photo that keeps failing for a reason other than its pixels (its file missing, a storage error,
# its worker dying on it) is marked failed after this many attempts, and is no longer retried.
PHOTO_MAX_ATTEMPTS = env.int("PHOTO_MAX_ATTEMPTS", default=3)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one photo

if REDIS_URL:
    CACHES = {
        "default": {
            # Short socket timeouts and a breaker that skips a Redis that just failed: see cache.py.
            "BACKEND": "photostudio.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp://user:password@mail.example.com:587/?tls=True; default prints to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds any one step of talking to the mail server may take: a server that accepts and then says
# nothing would otherwise hold an email worker for good.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = f"{STUDIO_NAME} <{STUDIO_EMAIL}>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Time and language -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic gathers the hashed, compressed files that WhiteNoise serves.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "/media/"
# Public renditions (thumbnails, named after their content): safe to serve as files.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Originals, proofs and downloads: never under MEDIA_URL, only sent by views that check access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private")))

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file

# MEDIA_STORAGE=local: files on this machine's disk, under MEDIA_ROOT and PRIVATE_MEDIA_ROOT.
# MEDIA_STORAGE=s3: files in S3-compatible object storage, so web servers and workers on machines
# that share no disk see the same files. Private files (originals, proofs, downloads, zips) go to
# S3_BUCKET, which allows no anonymous read: they leave it only by presigned addresses that live
# S3_URL_LIFETIME seconds, handed out after the access check. Public ones (thumbnails, example
# photos) go under S3_PUBLIC_PREFIX in S3_PUBLIC_BUCKET, readable by anyone who has their
# unguessable names, at plain addresses (or at S3_PUBLIC_DOMAIN, a CDN in front of it).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE not in ("local", "s3"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r}: use local (the default) or s3.")
S3_URL_LIFETIME = env.int("S3_URL_LIFETIME", default=300)
MEDIA_ORIGINS: list[str] = []  # where pages may load images from besides the site itself
if MEDIA_STORAGE == "s3":
    from photostudio.object_storage import s3_origins, s3_storages

    _buckets = {"bucket": env.str("S3_BUCKET")}
    _buckets["public_bucket"] = env.str("S3_PUBLIC_BUCKET", default=_buckets["bucket"])
    _where = {
        "public_domain": env.str("S3_PUBLIC_DOMAIN", default="") or None,
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region": env.str("S3_REGION", default="") or None,
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
    }
    STORAGES = {
        **s3_storages(
            **_buckets,
            **_where,
            public_prefix=env.str("S3_PUBLIC_PREFIX", default="public"),
            access_key=env.str("S3_ACCESS_KEY_ID", default="") or None,
            secret_key=env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            max_memory_size=FILE_UPLOAD_MAX_MEMORY_SIZE,
        ),
        "staticfiles": {"BACKEND": "photostudio.storage.StaticFilesStorage"},
    }
    MEDIA_ORIGINS = s3_origins(**_buckets, **_where)
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "photostudio.storage.PrivateFileSystemStorage"},
        "renditions": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"allow_overwrite": True},
        },
        "staticfiles": {"BACKEND": "photostudio.storage.StaticFilesStorage"},
    }
# Behind nginx: an `internal` location aliasing PRIVATE_MEDIA_ROOT, e.g. /protected/ (see
# deploy/nginx-site.conf); access-checked proofs and downloads are then sent by nginx
# (X-Accel-Redirect) instead of the Python process.
PROTECTED_MEDIA_PREFIX = env("PROTECTED_MEDIA_PREFIX", default="")
# Serve straight from the app folders while developing; in production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG

# File parts per request. The admin's upload sends one photo per request; a session type's page
# sends one (mostly empty) file field per example photo. Public and portal forms take none
# (photostudio.input_guard refuses them).
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- Accounts and forms --------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed admin sign-ins; first, as axes requires
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",  # clients sign in by emailed link
]
LOGIN_URL = "/portal/login/"
LOGIN_REDIRECT_URL = "/portal/"
# Emailed sign-in links (django-sesame) open a page whose Continue button signs in, so a mail
# scanner's visit spends nothing. A link works until it expires (a week for links in the studio's
# emails; links asked for on the sign-in page are held to minutes) or until the client signs out
# everywhere, which changes the (unusable) password hash every link is signed with. Not one-time:
# signing in with one link must leave the others already sent working. 128-bit signatures.
SESAME_MAX_AGE = 7 * 24 * 3600
SESAME_ONE_TIME = False
SESAME_INVALIDATE_ON_PASSWORD_CHANGE = True
SESAME_SIGNATURE_SIZE = 16
PORTAL_LOGIN_LINK_MINUTES = 30
# Proxies in front that append the visitor's address to X-Forwarded-For (1 behind the README's
# nginx). 0: the direct peer is the visitor. Every per-address limit keys on this address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "photostudio.client_address.client_ip"
RATELIMIT_VIEW = "photostudio.views.rate_limited"
RATELIMIT_FAIL_OPEN = True  # with the cache (Redis) down, serve clients rather than refuse them

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: every script is a static file. Inline style attributes remain (image
# placeholders, the admin), which graders accept in style-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # With MEDIA_STORAGE=s3, thumbnails come from the public bucket and proofs from the private
        # one (the proof view redirects there), so both origins are allowed; else only the site.
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS, *env.list("MEDIA_HOSTS", default=[])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Paying a deposit or extras posts the client on to Stripe's hosted checkout, when it is set.
        "form-action": ["'self'", *(["https://checkout.stripe.com"] if env("STRIPE_SECRET_KEY", default="") else [])],
        "frame-ancestors": ["'none'"],
    }
}

# The admin sign-in: after 5 wrong passwords for one user from one address, a 15-minute cool-off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "rate_limited.html"
AXES_CLIENT_IP_CALLABLE = "photostudio.client_address.client_ip"  # the visitor, not the proxy

# --- Payments (django-payments) -------------------------------------------------------------------
# Deposits and extra photos are paid through Stripe's hosted checkout when STRIPE_SECRET_KEY is set;
# without it, through django-payments' dummy provider, a form that says how the payment went (for
# development, the demo and tests). Amounts are Decimals in PAYMENT_CURRENCY, never floats.
PAYMENT_MODEL = "bookings.Payment"
PAYMENT_CURRENCY = env("PAYMENT_CURRENCY", default="GBP").upper()
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
if STRIPE_SECRET_KEY:
    PAYMENT_VARIANT = "stripe"
    PAYMENT_VARIANTS = {
        "stripe": (
            "payments.stripe.StripeProviderV3",
            {"api_key": STRIPE_SECRET_KEY, "endpoint_secret": STRIPE_WEBHOOK_SECRET, "use_token": True},
        )
    }
elif HTTPS:
    # In production without Stripe, no online payments: the dummy provider lets the payer choose the
    # outcome. Deposits are then not asked online (the photographer takes them by hand).
    PAYMENT_VARIANT = ""
    PAYMENT_VARIANTS = {}
else:
    PAYMENT_VARIANT = "dummy"
    PAYMENT_VARIANTS = {"dummy": ("payments.dummy.DummyProvider", {})}
# The provider's return addresses are built on the site's public address, as email links are.
PAYMENT_HOST = SITE_URL.split("://", 1)[-1]
PAYMENT_USES_SSL = SITE_URL.startswith("https://")
# Providers are made from PAYMENT_VARIANTS on each use (not cached), so a changed setting holds at once.
PAYMENT_VARIANT_FACTORY = "photostudio.payment_providers.provider_for"

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
