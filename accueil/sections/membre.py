"""Section « membre » of the home: the grappes the user belongs to without leading them — a role
other than chef de projet and AMOA consultant (sponsor, référents, membre), or a seat without a
vote on a comité (comité de suivi, guest of the COPIL). Per grappe its state: the step under
way, the next meeting, the latest validated minutes.

A grappe already shown by the porteur or the AMOA section is not repeated here; the COPIL's
avis are the « copil » section's. The helpers are the porteur section's (same grappes, steps
and meetings queries), in a fixed number of queries whatever the number of grappes."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accueil.sections import Section
from accueil.sections.porteur import (
    group_etapes,
    load_grappes,
    plan_of,
    role_grappe_ids,
    upcoming_meetings,
)
from grappe.enums import RoleKind
from projets.enums import StatutCompteRendu
from projets.models import CompteRendu
from projets.services import etapes_en_cours

# The roles shown elsewhere: the project the user leads (porteur), the grappes they assist
# (amoa).
ELSEWHERE = {RoleKind.CHEF_PROJET, RoleKind.AMOA}
MEMBRE_KINDS = set(RoleKind.values) - ELSEWHERE


def grappe_ids(ties):
    seats = {
        grappe_id
        for source, grappe_id, _name, _role, _comite, votes in ties["rows"]
        if source == "seat" and not votes
    }
    return (role_grappe_ids(ties, MEMBRE_KINDS) | seats) - role_grappe_ids(ties, ELSEWHERE)


def section(user, ties, today):
    ids = grappe_ids(ties)
    if not ids:
        return None
    grappes = load_grappes(user, ids)
    if not grappes:
        return None
    ids = [grappe.pk for grappe in grappes]
    etapes = group_etapes(grappes)
    reunions = upcoming_meetings(user, ids, timezone.now())
    # The latest validated (or diffused) minutes of each grappe — its latest meeting's latest
    # version —, every grappe in one query.
    validated = CompteRendu.objects.filter(
        statut__in=[StatutCompteRendu.VALIDE, StatutCompteRendu.DIFFUSE]
    ).visible_to(user)
    latest_of_grappe = validated.filter(reunion__grappe=OuterRef("reunion__grappe")).order_by(
        "-reunion__starts_at", "-reunion_id", "-numero"
    )
    latest = {
        cr.reunion.grappe_id: cr
        for cr in validated.filter(
            reunion__grappe__in=ids, pk=Subquery(latest_of_grappe.values("pk")[:1])
        ).select_related("reunion")
    }
    rows = []
    for grappe in grappes:
        pk = grappe.pk
        en_cours = etapes_en_cours(etapes.get(pk, []), today)
        etape = en_cours[0] if en_cours else None
        reunion = reunions[pk][0] if reunions[pk] else None
        cr = latest.get(pk)
        rows.append(
            {
                "grappe": grappe,
                "plan": plan_of(grappe),
                "etape": etape,
                "etape_statut": etape.status(today).label if etape else "",
                "reunion": reunion,
                "compte_rendu": cr,
            }
        )
    single = len(rows) == 1
    titre = f"Votre grappe : {grappes[0].name}" if single else "Vos grappes"
    return Section("membre", titre, {"grappes": rows, "single": single})
