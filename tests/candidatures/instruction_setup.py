"""Helpers of the instruction tests (their fixtures are in tests/candidatures/conftest.py)."""

from django.urls import reverse


def url(name, dossier):
    return reverse(f"candidatures:{name}", args=[dossier.campagne_id, dossier.pk])


def reload(dossier):
    dossier.refresh_from_db()
    return dossier


def decide(client, dossier, decision="retenue", motif="Projet prioritaire.", date="2026-11-16"):
    return client.post(
        url("decision", dossier), {"decision": decision, "motif": motif, "date": date}
    )
