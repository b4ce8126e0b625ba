"""What `/sante/` checks: the database answers, and the Celery broker (Redis) answers when one
is configured. Monitoring polls it; it says nothing about the data."""

import time

import redis
from django.conf import settings
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


def report():
    """{"statut": "ok"|"erreur", "verifications": {name: {"statut", "duree_ms", "erreur"?}}}"""
    checks = {}
    for name, check in (("base_de_donnees", check_database), ("broker", check_broker)):
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
