"""What `/sante/` checks: the database answers, the Celery broker (Redis) answers when one is
configured, and the bucket of the uploaded files when they live in object storage. Monitoring
polls it; it says nothing about the data."""

import time

import redis
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True


def check_broker():
    """None without Redis (tasks run eagerly in the web process: nothing to check)."""
    if not settings.REDIS_URL:
        return None
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return True


def check_storage():
    """None when the uploaded files are on the local disk; with S3 (settings.S3_BUCKET), the
    bucket exists and the keys open it (a HEAD on the bucket: nothing read, nothing written)."""
    storage = storages["default"]
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return None
    storage.connection.meta.client.head_bucket(Bucket=bucket)
    return True


def report():
    """{"statut": "ok"|"erreur", "verifications": {name: {"statut", "duree_ms", "erreur"?}}}"""
    checks = {}
    for name, check in (
        ("base_de_donnees", check_database),
        ("broker", check_broker),
        ("stockage", check_storage),
    ):
        started = time.perf_counter()
        try:
            result = check()
        except Exception as error:  # any failure is the answer we report, never a 500
            checks[name] = {"statut": "erreur", "erreur": error.__class__.__name__}
        else:
            checks[name] = {"statut": "non configuré" if result is None else "ok"}
        checks[name]["duree_ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(check["statut"] != "erreur" for check in checks.values())
    return {"statut": "ok" if healthy else "erreur", "verifications": checks}
