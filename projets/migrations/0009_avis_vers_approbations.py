"""The COPIL's answers move to the collegial-approval engine (approbations.Avis): one model for
deliverables, meeting minutes and application dossiers, with rounds (`tour`) kept as rows.

- every answer on a deliverable's version (projets.Avis) becomes an approbations.Avis of round 1;
- every answer on minutes (projets.AvisCR) keeps the round of its version (content["tour"]);
- the answers of earlier rounds, archived in the minutes' content (content["avis_precedents"])
  with only the person's name, become rows when that name (full name or e-mail, as they were
  written) designates exactly one account and that person has no other answer in the round;
  the others stay in the content, where the page still shows them with the earlier rounds.

Reversible: going back puts the rows into projets.Avis / AvisCR (the current round) and the
earlier rounds' answers back into the minutes' content, as they were archived.
"""

from django.db import migrations
from django.utils.dateparse import parse_datetime

DECISIVE = ("approuve", "rejette", "modifications")
LABELS = {
    "approuve": "Approuve",
    "rejette": "Rejette",
    "modifications": "Demande des modifications",
    "commentaire": "Commentaire",
}


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="projets", model=model)[0]


def _people_by_name(apps):
    """{name as the archive wrote it: user id}, for the names only one account answers to."""
    User = apps.get_model("users", "User")
    found = {}
    for pk, email, first, last in User.objects.values_list(
        "pk", "email", "first_name", "last_name"
    ):
        for name in {f"{first} {last}".strip(), email} - {""}:
            found.setdefault(name, set()).add(pk)
    return {name: pks.pop() for name, pks in found.items() if len(pks) == 1}


def _copy_deliverables(apps, Avis):
    old = apps.get_model("projets", "Avis").objects.order_by("pk")
    if not old.exists():
        return
    content_type = _content_type(apps, "livrableversion")
    Avis.objects.bulk_create(
        Avis(
            content_type=content_type,
            object_id=avis.version_id,
            tour=1,
            user_id=avis.user_id,
            decision=avis.decision,
            comment=avis.comment,
            created_at=avis.created_at,
        )
        for avis in old.iterator()
    )


def _copy_minutes(apps, Avis):
    CompteRendu = apps.get_model("projets", "CompteRendu")
    old = apps.get_model("projets", "AvisCR").objects.select_related("compte_rendu")
    archived = CompteRendu.objects.filter(content__has_key="avis_precedents")
    if not old.exists() and not archived.exists():
        return
    content_type = _content_type(apps, "compterendu")
    Avis.objects.bulk_create(
        Avis(
            content_type=content_type,
            object_id=avis.compte_rendu_id,
            tour=(avis.compte_rendu.content or {}).get("tour") or 1,
            user_id=avis.user_id,
            decision=avis.decision,
            comment=avis.comment,
            created_at=avis.created_at,
        )
        for avis in old.order_by("pk").iterator()
    )
    people = _people_by_name(apps)
    for cr in archived.order_by("pk"):
        _unarchive(Avis, content_type, cr, people)


def _unarchive(Avis, content_type, cr, people):
    """The archived answers of `cr` whose author is known become rows; the others stay."""
    answered = set(
        Avis.objects.filter(content_type=content_type, object_id=cr.pk)
        .filter(decision__in=DECISIVE)
        .values_list("tour", "user_id")
    )
    kept, rows = [], []
    for entry in cr.content["avis_precedents"]:
        tour = entry.get("tour") or 1
        user_id = people.get(entry.get("nom", ""))
        when = parse_datetime(entry.get("le") or "") or cr.submitted_at or cr.created_at
        if user_id is None or (tour, user_id) in answered or entry.get("decision") not in LABELS:
            kept.append(entry)
            continue
        answered.add((tour, user_id))
        rows.append(
            Avis(
                content_type=content_type,
                object_id=cr.pk,
                tour=tour,
                user_id=user_id,
                decision=entry["decision"],
                comment=entry.get("commentaire", ""),
                created_at=when,
            )
        )
    Avis.objects.bulk_create(rows)
    content = {key: value for key, value in cr.content.items() if key != "avis_precedents"}
    if kept:
        content["avis_precedents"] = kept
    cr.content = content
    cr.save(update_fields=["content"])


def forward(apps, schema_editor):
    Avis = apps.get_model("approbations", "Avis")
    _copy_deliverables(apps, Avis)
    _copy_minutes(apps, Avis)


def _person(user):
    return f"{user.first_name} {user.last_name}".strip() or user.email


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Avis = apps.get_model("approbations", "Avis")
    types = {
        content_type.model: content_type
        for content_type in ContentType.objects.filter(
            app_label="projets", model__in=["livrableversion", "compterendu"]
        )
    }
    if "livrableversion" in types:
        rows = Avis.objects.filter(content_type=types["livrableversion"]).order_by("pk")
        apps.get_model("projets", "Avis").objects.bulk_create(
            apps.get_model("projets", "Avis")(
                version_id=avis.object_id,
                user_id=avis.user_id,
                decision=avis.decision,
                comment=avis.comment,
                created_at=avis.created_at,
            )
            for avis in rows.iterator()
        )
        rows.delete()
    if "compterendu" in types:
        rows = Avis.objects.filter(content_type=types["compterendu"])
        _back_to_minutes(apps, rows)
        rows.delete()


def _back_to_minutes(apps, rows):
    """The current round's answers as AvisCR, the earlier rounds' archived in the content."""
    CompteRendu = apps.get_model("projets", "CompteRendu")
    AvisCR = apps.get_model("projets", "AvisCR")
    by_cr = {}
    for avis in rows.select_related("user").order_by("tour", "created_at", "pk"):
        by_cr.setdefault(avis.object_id, []).append(avis)
    for cr in CompteRendu.objects.filter(pk__in=list(by_cr)).order_by("pk"):
        current = (cr.content or {}).get("tour") or 1
        archived = []
        for avis in by_cr[cr.pk]:
            if avis.tour >= current:
                AvisCR.objects.create(
                    compte_rendu=cr,
                    user_id=avis.user_id,
                    decision=avis.decision,
                    comment=avis.comment,
                    created_at=avis.created_at,
                )
                continue
            archived.append(
                {
                    "tour": avis.tour,
                    "nom": _person(avis.user),
                    "decision": avis.decision,
                    "decision_label": LABELS.get(avis.decision, avis.decision),
                    "commentaire": avis.comment,
                    "le": avis.created_at.isoformat(),
                }
            )
        if archived:
            content = dict(cr.content or {})
            old = content.get("avis_precedents", [])
            content["avis_precedents"] = sorted(
                old + archived, key=lambda entry: (entry.get("tour") or 0, entry.get("le") or "")
            )
            cr.content = content
            cr.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("projets", "0008_reunion_cotech"),
        ("approbations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("users", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
