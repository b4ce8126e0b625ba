"""Test overrides: fast hashing, mails kept in memory, uploads in a throw-away folder."""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="grappe-test-media-"))
# Tests run tasks inline; the integration tests that need a real worker switch this off themselves.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The locmem cache outlives each test, so DRF's throttle counts would pile up over the whole run
# (every anonymous request comes from 127.0.0.1): the throttles stay on with rates no test reaches,
# and tests/core/test_security.py lowers them to check the 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
# Same for the limits of "Mot de passe oublié" (DRF's throttle history in that cache): tests/users/
# test_password_reset.py sets the real rates. The login lockouts need nothing: django-axes counts
# in the database, rolled back after each test.
PASSWORD_RESET_RATE_PER_EMAIL = "100000/h"
PASSWORD_RESET_RATE_PER_IP = "100000/h"
# The idle logout follows the wall clock; tests that log in and then travel in time
# (time-machine) would be logged out. tests/core/test_security.py turns it on to test it.
SESSION_IDLE_TIMEOUT = 0
