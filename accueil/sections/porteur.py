"""Section « porteur » of the home: for each grappe the user leads as chef de projet, what to do
now — the steps under way and late, the next milestone, what awaits the COPIL, the meetings and
the minutes owed, the usage indicators against their targets, the tranches, the top risks, and
« Cette semaine »: everything falling due in the next 7 days. Every item links to the page where
one acts on it.

Chef de projet only: the sponsor (the OG's direction) follows the project without running it,
in the « membre » section. Every rule is the projets models' or services' (late step, minutes
owed, milestones ahead, deliverables to produce, most critical risks); this module only groups
them by grappe, in a fixed number of queries whatever the number of grappes."""

import datetime
from collections import defaultdict

from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from accueil.sections import Section
from grappe.enums import RoleKind
from grappe.models import Grappe
from indicateurs.charts import mois_label
from indicateurs.enums import Niveau
from indicateurs.models import Tranche, ValeurIndicateur
from indicateurs.taux import Taux, fr_cible
from projets.comptes_rendus import avis_deadline
from projets.enums import StatutCompteRendu, StatutEtape, StatutVersion
from projets.models import CompteRendu, Etape, Jalon, Livrable, LivrableVersion, Reunion, Risque
from projets.services import etapes_en_cours

SEMAINE = datetime.timedelta(days=7)
TOP_RISQUES = 3


def role_grappe_ids(ties, kinds):
    """The grappes where the user holds one of `kinds` of role, from the request's ties (no
    query)."""
    return {
        grappe_id
        for source, grappe_id, _name, kind, *_ in ties["rows"]
        if source == "role" and kind in kinds
    }


def load_grappes(user, ids):
    """The grappes (with their plan, and the porteur's département for the working days of the
    minutes' deadlines), by name; one query."""
    return list(
        Grappe.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("plan", "porteur__departement")
        .order_by("name", "pk")
    )


def plan_of(grappe):
    return getattr(grappe, "plan", None)  # select_related: None without a query when absent


def group_etapes(grappes):
    """{grappe id: [steps in plan order]}; one query."""
    by_plan = {}
    plans = {plan.pk: grappe for grappe in grappes if (plan := plan_of(grappe))}
    if not plans:
        return {}
    etapes = Etape.objects.filter(plan__in=plans).order_by("plan", "ordre", "pk")
    for etape in etapes:
        by_plan.setdefault(plans[etape.plan_id].pk, []).append(etape)
    return by_plan


def steps_under_way(steps, today):
    """The steps shown as under way: the first of projets.services.etapes_en_cours (the step the
    project is at, late or not) and the others really in progress; the late ones behind it have
    their own list (porteur) — a plan far behind would otherwise list half its steps here."""
    current = etapes_en_cours(steps, today)
    return current[:1] + [
        etape for etape in current[1:] if etape.status(today) == StatutEtape.EN_COURS
    ]


def upcoming_meetings(user, ids, now):
    """{grappe id: [meetings to come, soonest first]}, those hidden from the user left out."""
    grouped = defaultdict(list)
    reunions = (
        Reunion.objects.filter(grappe__in=ids, starts_at__gte=now)
        .visible_to(user)
        .order_by("starts_at", "pk")
    )
    for reunion in reunions:
        grouped[reunion.grappe_id].append(reunion)
    return grouped


def _url(name, *args, anchor=""):
    return reverse(name, args=args) + (f"#{anchor}" if anchor else "")


def _etape_row(grappe, etape, today):
    status = etape.status(today)
    return {
        "etape": etape,
        "statut": status.label,
        "late": status == StatutEtape.EN_RETARD,
        "url": _url("projets:etape", grappe.pk, etape.pk),
        "edit_url": _url("projets:etape_edit", grappe.pk, etape.pk),
    }


def _jalon_url(grappe, jalon):
    if jalon.go_no_go:
        return _url("projets:jalon_decision", grappe.pk, jalon.pk)
    return _url("projets:plan", grappe.pk, anchor="titre-jalons")


def _indicateurs(ids, today):
    """{grappe id: {"periode", "rows"}}: each grappe's latest measured month, its values against
    their targets (as the progress report's indicateurs.tableaux.report_rows, for every grappe
    at once: two queries)."""
    latest = dict(
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe__in=ids, mois__lte=today)
        .mesurees()
        .order_by()
        .values("grappe")
        .annotate(dernier=Max("mois"))
        .values_list("grappe", "dernier")
    )
    if not latest:
        return {}
    values = (
        ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE,
            grappe__in=latest,
            mois__in=set(latest.values()),
            indicateur__actif=True,
        )
        .select_related("indicateur")
        .order_by("indicateur__ordre", "indicateur__code")
    )
    grouped = {
        grappe_id: {"periode": mois_label(mois, short=False), "rows": []}
        for grappe_id, mois in latest.items()
    }
    for value in values:
        if latest[value.grappe_id] != value.mois:
            continue  # another grappe's latest month
        grouped[value.grappe_id]["rows"].append(
            {
                "libelle": value.indicateur.libelle,
                "valeur": Taux.de(value, value.indicateur).texte(),
                "cible": f"{fr_cible(value.cible)} %",
                "atteinte": value.atteinte,
                "premiere_mesure": value.premiere_mesure,
            }
        )
    return grouped


def _grouped(rows, grappe_id):
    grouped = defaultdict(list)
    for row in rows:
        grouped[grappe_id(row)].append(row)
    return grouped


def _load(user, by_id, today, week_end):
    """Everything the section shows, for all the grappes at once, grouped by grappe: one query
    per kind of thing (twelve at most), whatever the number of grappes."""
    ids = list(by_id)
    data = {"etapes": group_etapes(by_id.values())}
    data["jalons"] = _grouped(
        Jalon.objects.filter(plan__grappe__in=ids)
        .ahead()
        .select_related("plan", "etape")
        .order_by(F("planned_on").asc(nulls_last=True), "pk"),
        lambda jalon: jalon.plan.grappe_id,
    )
    data["versions"] = _grouped(
        LivrableVersion.objects.filter(status=StatutVersion.SOUMISE, livrable__plan__grappe__in=ids)
        .select_related("livrable__plan", "livrable__etape")
        .order_by("submitted_at", "pk"),
        lambda version: version.livrable.plan.grappe_id,
    )
    comptes_rendus = list(
        CompteRendu.objects.filter(statut=StatutCompteRendu.SOUMIS, reunion__grappe__in=ids)
        .visible_to(user)
        .select_related("reunion")
        .order_by("submitted_at", "pk")
    )
    for cr in comptes_rendus:
        cr.reunion.grappe = by_id[cr.reunion.grappe_id]  # its porteur's working days
    data["comptes_rendus"] = _grouped(comptes_rendus, lambda cr: cr.reunion.grappe_id)
    data["reunions"] = upcoming_meetings(user, ids, timezone.now())
    owed = []
    for reunion in (
        Reunion.objects.owing_minutes_candidates(today)
        .filter(grappe__in=ids)
        .visible_to(user)
        .order_by("starts_at", "pk")
    ):
        is_owed, cr = reunion.minutes_owed()
        if is_owed:
            reunion.grappe = by_id[reunion.grappe_id]  # its porteur's working days
            owed.append((reunion, cr))
    data["owed"] = _grouped(owed, lambda pair: pair[0].grappe_id)
    data["livrables"] = _grouped(
        Livrable.objects.filter(
            plan__grappe__in=ids, etape__planned_end__gte=today, etape__planned_end__lte=week_end
        )
        .to_produce()
        .select_related("plan", "etape")
        .order_by("etape__planned_end", "pk"),
        lambda livrable: livrable.plan.grappe_id,
    )
    data["indicateurs"] = _indicateurs(ids, today)
    data["tranches"] = _grouped(
        Tranche.objects.filter(grappe__in=ids).order_by("grappe", "numero"),
        lambda tranche: tranche.grappe_id,
    )
    risques = _grouped(
        Risque.objects.filter(plan__grappe__in=ids).most_critical().select_related("plan"),
        lambda risque: risque.plan.grappe_id,
    )
    data["risques"] = {pk: rows[:TOP_RISQUES] for pk, rows in risques.items()}
    return data


class Semaine(list):
    """« Cette semaine »: what falls due from today to a week later, soonest first."""

    def __init__(self, today, week_end):
        super().__init__()
        self.today, self.week_end = today, week_end

    def add(self, day, libelle, url):
        if day and self.today <= day <= self.week_end:
            self.append({"date": day, "libelle": libelle, "url": url})

    def rows(self):
        return sorted(self, key=lambda item: (item["date"], item["libelle"]))


def _copil_row(kind, titre, submitted_at, echeance, url, today):
    return {
        "kind": kind,
        "titre": titre,
        "submitted_at": submitted_at,
        "echeance": echeance,
        "late": echeance is not None and echeance < today,
        "url": url,
    }


def _projet(grappe, data, today, week_end):
    """The context of one grappe's part of the section."""
    pk = grappe.pk
    steps = data["etapes"].get(pk, [])
    reunions = data["reunions"][pk]
    jalons = data["jalons"][pk]
    semaine = Semaine(today, week_end)
    for etape in steps:
        if not etape.skipped and not etape.actual_end:
            url = _url("projets:etape", pk, etape.pk)
            semaine.add(etape.planned_end, f"Fin prévue de l'étape {etape}", url)
    for jalon in jalons:
        semaine.add(jalon.planned_on, f"Jalon : {jalon.titre}", _jalon_url(grappe, jalon))
    for reunion in reunions:
        heure = timezone.localtime(reunion.starts_at)
        url = _url("projets:reunion", pk, reunion.pk)
        semaine.add(heure.date(), f"Réunion : {reunion.titre}, à {heure:%H:%M}", url)
    for livrable in data["livrables"][pk]:
        url = _url("projets:livrable", pk, livrable.pk)
        semaine.add(livrable.etape.planned_end, f"Livrable attendu : {livrable.titre}", url)
    copil = []
    for version in data["versions"][pk]:
        livrable = version.livrable
        # The avis is due by the step's planned end, as in the « À valider » inbox
        # (projets.views.livrables.inbox_rows); an AMOA deliverable has no step, no date.
        echeance = livrable.etape.planned_end if livrable.etape_id else None
        url = _url("projets:livrable", pk, livrable.pk, anchor=f"version-{version.numero}")
        titre = f"{livrable.titre} (version {version.numero})"
        copil.append(_copil_row("Livrable", titre, version.submitted_at, echeance, url, today))
        semaine.add(echeance, f"Avis du COPIL attendu : {livrable.titre}", url)
    for cr in data["comptes_rendus"][pk]:
        echeance = avis_deadline(cr)  # the copil section's reading (projets.comptes_rendus)
        url = _url("projets:compte_rendu", pk, cr.reunion_id, cr.pk)
        titre = f"Compte rendu — {cr.reunion.titre}"
        copil.append(_copil_row("Compte rendu", titre, cr.submitted_at, echeance, url, today))
        semaine.add(echeance, f"Avis du COPIL attendu : compte rendu — {cr.reunion.titre}", url)
    owed = []
    for reunion, cr in data["owed"][pk]:
        deadline = reunion.minutes_deadline()
        if cr is not None:
            url = _url("projets:compte_rendu_edit", pk, reunion.pk, cr.pk)
        else:
            url = _url("projets:compte_rendu_create", pk, reunion.pk)
        owed.append(
            {
                "reunion": reunion,
                "cr": cr,
                "deadline": deadline,
                "late": deadline < today,
                "url": url,
            }
        )
        semaine.add(deadline, f"Compte rendu à transmettre : {reunion.titre}", url)
    next_jalon = jalons[0] if jalons else None
    return {
        "grappe": grappe,
        "plan": plan_of(grappe),
        "urls": {
            "grappe": grappe.get_absolute_url(),
            "plan": _url("projets:plan", pk),
            "plan_create": _url("projets:plan_create", pk),
            "reunion_create": _url("projets:reunion_create", pk),
            "risques": _url("projets:risques", pk),
            "indicateurs": _url("indicateurs:tableau_grappe", pk),
            "usages": _url("indicateurs:usages", pk),
            "tranches": _url("indicateurs:tranches", pk),
        },
        "en_cours": [_etape_row(grappe, e, today) for e in steps_under_way(steps, today)],
        "retards": [
            _etape_row(grappe, e, today) for e in steps if e.status(today) == StatutEtape.EN_RETARD
        ],
        "jalon": next_jalon
        and {
            "jalon": next_jalon,
            "late": bool(next_jalon.planned_on and next_jalon.planned_on < today),
            "url": _jalon_url(grappe, next_jalon),
        },
        "copil": copil,
        "reunion": reunions[0] if reunions else None,
        "reunion_url": _url("projets:reunion", pk, reunions[0].pk) if reunions else "",
        "comptes_rendus_dus": owed,
        "indicateurs": data["indicateurs"].get(pk),
        "tranches": data["tranches"][pk],
        "risques": [
            {"risque": r, "url": _url("projets:risque_edit", pk, r.pk)}
            for r in data["risques"].get(pk, [])
        ],
        "semaine": semaine.rows(),
    }


def section(user, ties, today):
    ids = role_grappe_ids(ties, {RoleKind.CHEF_PROJET})
    if not ids:
        return None
    grappes = load_grappes(user, ids)
    if not grappes:
        return None
    week_end = today + SEMAINE
    data = _load(user, {grappe.pk: grappe for grappe in grappes}, today, week_end)
    projets = [_projet(grappe, data, today, week_end) for grappe in grappes]
    # One grappe: its name is the section's title (h2) and its parts are h3; several: each
    # grappe is an h3 and its parts h4 — headings stay in order either way.
    single = len(projets) == 1
    titre = f"Votre projet : {grappes[0].name}" if single else "Vos projets"
    return Section(
        "porteur",
        titre,
        {
            "projets": projets,
            "single": single,
            "h": "h3" if single else "h4",
            "today": today,
            "week_end": week_end,
        },
    )
