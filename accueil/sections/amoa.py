"""Section « amoa » of the home: the grappes the user assists as AMOA consultant (often several).
Per grappe the step under way and the deliverables of the steps under way and of the next one
that are not delivered yet (Livrable.objects.to_produce), with their planned date — the step's
planned end — and the late ones flagged. A fixed number of queries whatever the number of
grappes (the porteur section's helpers)."""

from django.db.models import F

from accueil.sections import Section
from accueil.sections.porteur import (
    group_etapes,
    load_grappes,
    plan_of,
    role_grappe_ids,
    steps_under_way,
)
from grappe.enums import RoleKind
from projets.enums import StatutVersion
from projets.models import Livrable

ATTENDU = "Attendu"  # no version deposited yet, as on the deliverables' list


def _focus(steps, today):
    """The steps under way (porteur.steps_under_way) and the next one to start after them."""
    en_cours = steps_under_way(steps, today)
    last = max((etape.ordre for etape in en_cours), default=0)
    following = [
        etape
        for etape in steps
        if etape.ordre > last
        and not etape.skipped
        and not etape.actual_end
        and etape not in en_cours
    ]
    return en_cours, following[:1]


def section(user, ties, today):
    ids = role_grappe_ids(ties, {RoleKind.AMOA})
    if not ids:
        return None
    grappes = load_grappes(user, ids)
    if not grappes:
        return None
    etapes = group_etapes(grappes)
    focus = {}
    for grappe in grappes:
        en_cours, suivante = _focus(etapes.get(grappe.pk, []), today)
        focus[grappe.pk] = (en_cours, suivante)
    etape_ids = [etape.pk for en_cours, suivante in focus.values() for etape in en_cours + suivante]
    livrables = {}
    if etape_ids:
        for livrable in (
            Livrable.objects.filter(etape__in=etape_ids)
            .to_produce()
            .select_related("etape", "plan")
            .order_by(F("etape__planned_end").asc(nulls_last=True), "etape__ordre", "pk")
        ):
            livrables.setdefault(livrable.plan.grappe_id, []).append(livrable)
    labels = dict(StatutVersion.choices)
    rows = []
    for grappe in grappes:
        en_cours, suivante = focus[grappe.pk]
        rows.append(
            {
                "grappe": grappe,
                "plan": plan_of(grappe),
                "etapes": [
                    {"etape": etape, "statut": etape.status(today).label}
                    for etape in en_cours + suivante
                ],
                "livrables": [
                    {
                        "livrable": livrable,
                        "date": livrable.etape.planned_end,
                        "statut": labels.get(livrable.latest_status, ATTENDU),
                        "late": bool(
                            livrable.etape.planned_end and livrable.etape.planned_end < today
                        ),
                    }
                    for livrable in livrables.get(grappe.pk, [])
                ],
            }
        )
    single = len(rows) == 1
    titre = f"Votre mission AMOA : {grappes[0].name}" if single else "Vos missions AMOA"
    return Section("amoa", titre, {"grappes": rows, "single": single})
