"""What a dossier must pass before it can be filed, computed from the grappe's data: the call's
window, the grappe's eligibility (grappe.eligibility), the non-redundancy of funding, the
narrative sections."""

from dataclasses import dataclass, field

from django.utils import timezone

from grappe.eligibility import check_eligibility
from grappe.models import EsmsMembership


@dataclass
class Point:
    """One line of the checklist: what is checked, whether it passes, why not."""

    code: str
    label: str
    ok: bool
    detail: str = ""
    items: list = field(default_factory=list)


def funded_elsewhere(grappe):
    """The grappe's ESMS already funded for a DUI by another grappe's signed convention on
    another call: [(ESMS, that grappe, its AAP, the signature date)]. The programme funds an
    ESMS once for its DUI, whatever the call (« non-redondance des financements », stated in
    the généralisation's regional calls, DOMAIN.md §9)."""
    memberships = grappe.memberships.filter(left_on__isnull=True)
    earlier = (
        EsmsMembership.objects.filter(
            esms_id__in=memberships.values("esms_id"),
            grappe__convention_signed_on__isnull=False,
        )
        .exclude(grappe=grappe)
        .exclude(grappe__aap_id=grappe.aap_id)
        .select_related("esms", "grappe__aap")
        .order_by("esms__raison_sociale", "grappe__convention_signed_on")
    )
    return [(m.esms, m.grappe, m.grappe.aap, m.grappe.convention_signed_on) for m in earlier]


def _fenetre(campagne, now):
    if campagne.is_open(now):
        detail = f"Dépôt possible jusqu'au {timezone.localtime(campagne.cloture):%d/%m/%Y à %H:%M}."
        return Point("fenetre", "Appel ouvert", True, detail)
    if now < campagne.ouverture:
        detail = f"L'appel ouvre le {timezone.localtime(campagne.ouverture):%d/%m/%Y à %H:%M}."
    else:
        detail = (
            f"L'appel est clos depuis le {timezone.localtime(campagne.cloture):%d/%m/%Y à %H:%M}."
        )
    return Point("fenetre", "Appel ouvert", False, detail)


def checklist(candidature, now=None):
    now = now or timezone.now()
    grappe = candidature.grappe
    report = check_eligibility(grappe)
    blocking = [f"{check.label} : {check.reason}" for check in report.ko]
    funded = funded_elsewhere(grappe)
    missing = candidature.sections_manquantes()
    return [
        _fenetre(candidature.campagne, now),
        Point(
            "eligibilite",
            "Éligibilité de la grappe",
            report.eligible,
            "" if report.eligible else "Points bloquants du rapport d'éligibilité :",
            blocking,
        ),
        Point(
            "non_redondance",
            "Non-redondance des financements",
            not funded,
            ""
            if not funded
            else "Ces ESMS ont déjà été financés pour leur DUI par un autre appel ; seule "
            "l'administration nationale peut lever ce blocage, motif à l'appui :",
            [
                f"{esms.raison_sociale} ({esms.finess_et}) — grappe « {other} », appel "
                f"« {aap.name if aap else 'sans appel'} », convention signée le {signed:%d/%m/%Y}"
                for esms, other, aap, signed in funded
            ],
        ),
        Point(
            "sections",
            "Sections du dossier rédigées",
            not missing,
            "" if not missing else "À rédiger :",
            missing,
        ),
    ]
