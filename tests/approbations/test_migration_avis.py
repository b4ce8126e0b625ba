"""The data migration of the avis (projets 0009): the answers on deliverables (projets.Avis) and
on minutes (projets.AvisCR, and those archived by name in the minutes' content) become
approbations.Avis rows, none lost; going back gives the former rows and archive again.

Replayed with Django's MigrationExecutor in a throw-away database of the suite's engine (the
suite's own database is built without migrations), in a subprocess as tests/core/
test_migrations.py does."""

import datetime

import pytest

from tests.migrations import migrate_to, run_scenario

BEFORE = [("projets", "0008_reunion_cotech"), ("approbations", "0001_initial")]
AFTER = [("projets", "0010_avis_remplaces_par_approbations")]
WHEN = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _people(apps):
    User = apps.get_model("users", "User")
    return [
        User.objects.create(email="alice@exemple.fr", first_name="Alice", last_name="Martin"),
        User.objects.create(email="bruno@exemple.fr", first_name="Bruno", last_name="Petit"),
        # Two accounts answer to « Claire Roux »: her archived answer cannot be given to one.
        User.objects.create(email="claire@exemple.fr", first_name="Claire", last_name="Roux"),
        User.objects.create(email="claire2@exemple.fr", first_name="Claire", last_name="Roux"),
    ]


def _documents(apps, author):
    Grappe = apps.get_model("grappe", "Grappe")
    # A database migrated part of the way holds no reference data (core.reference loads it once
    # every migration is applied): the grappe's region is written here.
    region, _ = apps.get_model("grappe", "Region").objects.get_or_create(
        code="32", defaults={"name": "Hauts-de-France"}
    )
    grappe = Grappe.objects.create(name="Grappe de test", region=region)
    plan = apps.get_model("projets", "Plan").objects.create(grappe=grappe, start_on=WHEN.date())
    livrable = apps.get_model("projets", "Livrable").objects.create(plan=plan, titre="Note")
    version = apps.get_model("projets", "LivrableVersion").objects.create(
        livrable=livrable,
        numero=1,
        file="livrables/note.pdf",
        original_name="note.pdf",
        size=10,
        content_type="application/pdf",
        status="soumise",
        uploaded_by=author,
    )
    reunion = apps.get_model("projets", "Reunion").objects.create(
        grappe=grappe, kind="copil", titre="COPIL", starts_at=WHEN, ends_at=WHEN + HOUR
    )
    return version, reunion


def _archived(name, decision, label, comment, tour=1, hour=0):
    when = (WHEN + datetime.timedelta(days=tour, hours=hour)).isoformat()
    return {
        "tour": tour,
        "nom": name,
        "decision": decision,
        "decision_label": label,
        "commentaire": comment,
        "le": when,
    }


def _before(apps):
    """Answers of every kind, as the former models and the archive held them."""
    alice, bruno, claire, _ = _people(apps)
    version, reunion = _documents(apps, author=claire)
    Avis = apps.get_model("projets", "Avis")
    Avis.objects.create(version=version, user=alice, decision="approuve", created_at=WHEN)
    Avis.objects.create(version=version, user=bruno, decision="rejette", comment="Non")
    Avis.objects.create(version=version, user=bruno, decision="commentaire", comment="Voir p. 3")
    archive = [
        _archived("Alice Martin", "approuve", "Approuve", ""),
        _archived("Claire Roux", "modifications", "Demande des modifications", "Le budget", hour=1),
        _archived("bruno@exemple.fr", "modifications", "Demande des modifications", "Le lieu", 2),
    ]
    cr = apps.get_model("projets", "CompteRendu").objects.create(
        reunion=reunion,
        statut="soumis",
        content={"tour": 3, "synthese": "", "avis_precedents": archive},
        submitted_at=WHEN,
    )
    apps.get_model("projets", "AvisCR").objects.create(
        compte_rendu=cr, user=alice, decision="approuve", created_at=WHEN
    )
    return version, cr


def _rows(apps, model):
    Avis = apps.get_model("approbations", "Avis")
    return sorted(
        [avis.object_id, avis.tour, avis.user.email, avis.decision, avis.comment, avis.siege]
        for avis in Avis.objects.filter(content_type__model=model).select_related("user")
    )


def scenario():
    """Migrate back to before 0009, write the former answers, migrate forward then back: what
    each step holds, as JSON."""
    old = migrate_to(BEFORE)
    version, cr = _before(old)
    new = migrate_to(AFTER)
    CompteRendu = new.get_model("projets", "CompteRendu")
    after = {
        "versions": _rows(new, "livrableversion"),
        "minutes": _rows(new, "compterendu"),
        "archive": CompteRendu.objects.get(pk=cr.pk).content.get("avis_precedents"),
        "ids": [version.pk, cr.pk],
    }
    old = migrate_to(BEFORE)
    restored_cr = old.get_model("projets", "CompteRendu").objects.get(pk=cr.pk)
    back = {
        "versions": sorted(
            [a.user.email, a.decision, a.comment]
            for a in old.get_model("projets", "Avis").objects.select_related("user")
        ),
        "minutes": sorted(
            [a.user.email, a.decision]
            for a in old.get_model("projets", "AvisCR").objects.select_related("user")
        ),
        "archive": [
            [entry["tour"], entry["nom"], entry["decision"]]
            for entry in restored_cr.content["avis_precedents"]
        ],
        "left": old.get_model("approbations", "Avis").objects.count(),
    }
    return {"after": after, "back": back}


@pytest.mark.django_db
def test_the_avis_move_to_the_engine_and_back():
    result = run_scenario("tests.approbations.test_migration_avis")
    after, back = result["after"], result["back"]
    version_id, cr_id = after["ids"]

    # Every deliverable answer, round 1, comments included.
    assert after["versions"] == [
        [version_id, 1, "alice@exemple.fr", "approuve", "", ""],
        [version_id, 1, "bruno@exemple.fr", "commentaire", "Voir p. 3", ""],
        [version_id, 1, "bruno@exemple.fr", "rejette", "Non", ""],
    ]
    # The minutes' current answer keeps its round (3); the archived answers whose author is
    # known become rows of their round, by full name or by e-mail.
    assert after["minutes"] == [
        [cr_id, 1, "alice@exemple.fr", "approuve", "", ""],
        [cr_id, 2, "bruno@exemple.fr", "modifications", "Le lieu", ""],
        [cr_id, 3, "alice@exemple.fr", "approuve", "", ""],
    ]
    # « Claire Roux » is two accounts: her answer stays in the archive, still shown.
    assert [(a["nom"], a["commentaire"]) for a in after["archive"]] == [
        ("Claire Roux", "Le budget")
    ]

    # Backwards: the former rows, and the earlier rounds archived by name again.
    assert back["versions"] == [
        ["alice@exemple.fr", "approuve", ""],
        ["bruno@exemple.fr", "commentaire", "Voir p. 3"],
        ["bruno@exemple.fr", "rejette", "Non"],
    ]
    assert back["minutes"] == [["alice@exemple.fr", "approuve"]]
    assert back["archive"] == [
        [1, "Alice Martin", "approuve"],
        [1, "Claire Roux", "modifications"],
        [2, "Bruno Petit", "modifications"],
    ]
    assert back["left"] == 0
