"""What the dashboards show: one context builder per page (grappe, region, national), shared by
the HTML page and its PDF report, and the rows of the exports.

Every builder reads in a fixed number of queries, whatever the number of ESMS or grappes. The
regional table filters, sorts and pages the region's grappes in SQL on the monthly summaries the
computation writes (SyntheseGrappe, issue 17), then reads the values, tranches and extension
columns of the page's grappes only; the national view reads the region-level values. So a page
costs about the same at 200 or 1 500 grappes (docs/benchmarks.md); the region's PDF, which lists
every grappe, reads them all.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from core.months import month_range, parse_month
from grappe.models import Esms, EsmsMembership, Grappe, Region
from indicateurs.charts import (
    ATTEINTE,
    LOIN,
    MANQUANT,
    NON_APPLICABLE,
    PREMIERE_MESURE,
    STATUT_ORDER,
    heatmap_svg,
    line_chart_svg,
    mois_label,
    statut_info,
    statut_taux,
)
from indicateurs.enums import Niveau, StatutTranche
from indicateurs.extensions import region_columns
from indicateurs.models import Indicateur, SyntheseGrappe, Tranche, ValeurIndicateur
from indicateurs.services import couvertures
from indicateurs.taux import Taux, fr_cible
from projets.models import Etape

HEATMAP_MONTHS = 12
CHART_MONTHS = 24
REGION_PAGE_SIZE = 25


def indicateurs_actifs():
    return list(
        Indicateur.objects.filter(actif=True)
        .prefetch_related("categories_exclues")
        .order_by("ordre", "code")
    )


def applies_to(indicateur, esms):
    """Whether the indicator applies to the ESMS's category (Indicateur.categories_exclues,
    prefetched)."""
    return all(c.pk != esms.categorie_id for c in indicateur.categories_exclues.all())


def _chart_months(available, selected):
    """Contiguous months from the first with data (at most CHART_MONTHS back) to `selected`."""
    first = min(available)
    months = month_range(selected, CHART_MONTHS)
    return [mois for mois in months if mois >= first]


@dataclass
class Cellule:
    """One indicator's value for a month (grappe, ESMS or region), ready for the templates."""

    indicateur: Indicateur
    valeur: ValeurIndicateur | None
    # False for an ESMS whose category the indicator does not apply to: « non applicable ».
    applicable: bool = True
    taux: Taux | None = field(init=False)
    statut: dict = field(init=False)

    def __post_init__(self):
        self.taux = Taux.de(self.valeur, self.indicateur) if self.applicable else None
        self.statut = statut_info(statut_taux(self.taux if self.applicable else NON_APPLICABLE))

    @property
    def texte(self):
        if not self.applicable:
            return "non applicable"
        return "—" if self.taux is None else self.taux.texte()

    @property
    def atteinte(self):
        return self.statut["code"] == ATTEINTE

    @property
    def ecart(self):
        """Points missing to reach the target (0 when met); a missing value counts as the whole
        target, so the ESMS that send nothing come first too."""
        if not self.applicable:
            return Fraction(0)
        if self.taux is None:
            return Fraction(self.indicateur.cible)
        return self.taux.ecart()


def resume(cellules):
    """A grappe's figures for a month from its cells (one per active indicator): the region
    table's row and the stored summary (SyntheseGrappe, written by the computation) share this
    one definition of « atteinte », « loin » and « toutes atteintes »."""
    loin = [cellule for cellule in cellules if cellule.statut["code"] == LOIN]
    return {
        "atteintes": sum(1 for cellule in cellules if cellule.atteinte),
        "loin": len(loin),
        "ecart_loin": sum((cellule.ecart for cellule in loin), Fraction(0)),
        "avec_donnees": any(cellule.statut["code"] != MANQUANT for cellule in cellules),
        "toutes_atteintes": bool(cellules) and all(cellule.atteinte for cellule in cellules),
    }


def _legend():
    return [statut_info(code) for code in STATUT_ORDER]


# ---------------------------------------------------------------------------------------------
# Grappe dashboard
# ---------------------------------------------------------------------------------------------


def grappe_context(grappe, mois=None, today=None):
    """Everything the grappe dashboard (and its monthly PDF) shows, for the month `mois`
    (default: the latest month with data: a measured value at grappe or ESMS level)."""
    today = today or timezone.localdate()
    indicateurs = indicateurs_actifs()
    memberships = list(grappe.active_memberships())
    esms_ids = [membership.esms_id for membership in memberships]
    grappe_values = list(
        ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE, grappe=grappe, indicateur__actif=True
        ).order_by("mois")
    )
    # Months 1 and 2 of a grappe have ESMS values only (not assessed at grappe level).
    available = sorted(
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe=grappe, indicateur__actif=True)
        .mois_mesures()
        .union(
            ValeurIndicateur.objects.filter(
                niveau=Niveau.ESMS, esms_id__in=esms_ids, indicateur__actif=True
            )
            .held_by(grappe)
            .mois_mesures()
        )
    )
    tranches = list(grappe.tranches.all())
    context = {
        "grappe": grappe,
        "today": today,
        "indicateurs": indicateurs,
        "tranches": tranches,
        "tranches_total": _tranches_total(tranches),
        "legend": _legend(),
        "mois_disponibles": [(mois, mois_label(mois, short=False)) for mois in available[::-1]],
        "nb_esms": len(memberships),
        "has_data": bool(available),
    }
    if not available:
        return {**context, "mois": None}
    selected = mois if mois in available else available[-1]
    by_grappe = {(value.indicateur_id, value.mois): value for value in grappe_values}

    # Grappe level: the month's summary and one line chart per indicator.
    chart_months = _chart_months(available, selected)
    synthese, courbes = [], []
    for indicateur in indicateurs:
        synthese.append(Cellule(indicateur, by_grappe.get((indicateur.pk, selected))))
        table = [(m, Cellule(indicateur, by_grappe.get((indicateur.pk, m)))) for m in chart_months]
        points = [(m, MANQUANT if c.taux is None else c.taux) for m, c in table]
        premiere = next(
            (m for m, c in table if c.valeur is not None and c.valeur.premiere_mesure), None
        )
        courbes.append(
            {
                "indicateur": indicateur,
                "svg": line_chart_svg(
                    indicateur.libelle,
                    points,
                    indicateur.cible,
                    code=indicateur.code,
                    premiere=premiere,
                ),
                "table": [
                    (
                        mois_label(m, short=False)
                        + (f" ({PREMIERE_MESURE})" if m == premiere else ""),
                        cellule,
                    )
                    for m, cellule in table
                ],
            }
        )

    # ESMS level: the heat maps (last 12 months) and the month's table, furthest first.
    window = month_range(selected, HEATMAP_MONTHS)
    window = [m for m in window if m >= available[0]]
    esms_values = ValeurIndicateur.objects.filter(
        niveau=Niveau.ESMS,
        esms_id__in=esms_ids,
        indicateur__actif=True,
        mois__gte=window[0],
        mois__lte=selected,
    ).held_by(grappe)
    by_esms = {(v.esms_id, v.indicateur_id, v.mois): v for v in esms_values}
    by_pk = {indicateur.pk: indicateur for indicateur in indicateurs}
    taux_esms = {key: Taux.de(value, by_pk[key[1]]) for key, value in by_esms.items()}
    esms_rows = []
    for membership in memberships:
        esms = membership.esms
        cellules = [
            Cellule(
                indicateur,
                by_esms.get((esms.pk, indicateur.pk, selected)),
                applies_to(indicateur, esms),
            )
            for indicateur in indicateurs
        ]
        esms_rows.append(
            {
                "esms": esms,
                "cellules": cellules,
                "ecart": sum((cellule.ecart for cellule in cellules), Fraction(0)),
                "atteintes": sum(1 for cellule in cellules if cellule.atteinte),
            }
        )
    esms_rows.sort(key=lambda row: (-row["ecart"], row["esms"].name))
    # The month's coverage, when it is assessed at grappe level: who reported, who is missing.
    couverture, manquants = None, []
    assessed = [value for value in grappe_values if value.mois == selected]
    if assessed:
        couverture = couvertures(selected, [grappe.pk])[grappe.pk]
        if couverture["manquants"]:
            manquants = sorted(
                esms.name for esms in Esms.objects.filter(pk__in=couverture["manquants"])
            )
    non_evaluable = couverture is not None and not couverture["evaluable"]
    heatmaps = [
        {
            "indicateur": indicateur,
            "svg": heatmap_svg(
                indicateur.libelle,
                window,
                [
                    (
                        row["esms"].name,
                        [
                            taux_esms.get((row["esms"].pk, indicateur.pk, m))
                            if applies_to(indicateur, row["esms"])
                            else NON_APPLICABLE
                            for m in window
                        ],
                    )
                    for row in esms_rows
                ],
            ),
        }
        for indicateur in indicateurs
    ]
    return {
        **context,
        "mois": selected,
        "mois_libelle": mois_label(selected, short=False),
        "synthese": synthese,
        "toutes_atteintes": bool(synthese)
        and not non_evaluable
        and all(cellule.atteinte for cellule in synthese),
        "couverture": couverture,
        "non_evaluable": non_evaluable,
        "esms_manquants": manquants,
        "premiere_mesure": any(
            cellule.valeur is not None and cellule.valeur.premiere_mesure for cellule in synthese
        ),
        "courbes": courbes,
        "heatmaps": heatmaps,
        "heatmap_debut": mois_label(window[0], short=False),
        "esms_rows": esms_rows,
    }


def _tranches_total(tranches):
    return {
        "montant": sum((t.montant or Decimal(0) for t in tranches), Decimal(0)),
        "paye": sum((t.montant_paye or Decimal(0) for t in tranches), Decimal(0)),
    }


EXPORT_HEADER = [
    "FINESS",
    "ESMS",
    "Organisme gestionnaire",
    "Mois",
    "Code indicateur",
    "Indicateur",
    "Numérateur",
    "Dénominateur",
    "Valeur (%)",
    "Cible (%)",
    "Statut",
    "Première mesure (3 mois)",
]


def export_rows(grappe):
    """(FINESS, ESMS, OG, "AAAA-MM", code, libellé, num., dén., valeur, cible, statut, 1re mesure)
    of every ESMS-level value of the grappe's ESMS, ESMS × month × indicator; valeur is the
    figure the pages show (a Decimal: Taux.arrondi), None when not calculable."""
    esms_ids = grappe.memberships.filter(left_on__isnull=True).values("esms_id")
    values = (
        ValeurIndicateur.objects.filter(niveau=Niveau.ESMS, esms_id__in=esms_ids)
        .held_by(grappe)
        .select_related("esms__og", "indicateur")
        .order_by("esms__raison_sociale", "esms__finess_et", "mois", "indicateur__ordre")
    )
    for value in values.iterator(chunk_size=2000):
        taux = Taux.de(value, value.indicateur)
        yield [
            value.esms.finess_et,
            value.esms.name,
            value.esms.og.name,
            f"{value.mois:%Y-%m}",
            value.indicateur.code,
            value.indicateur.libelle,
            value.numerateur,
            value.denominateur,
            taux.arrondi(),
            value.cible,
            statut_info(statut_taux(taux))["label"],
            "oui" if value.premiere_mesure else "non",
        ]


# ---------------------------------------------------------------------------------------------
# Region dashboard
# ---------------------------------------------------------------------------------------------

CIBLES_FILTRES = [
    ("atteintes", "Toutes les cibles atteintes"),
    ("non_atteintes", "Cibles non atteintes"),
    ("sans_donnees", "Sans données"),
]
SORTS = {
    "nom": "Nom",
    "esms": "Nombre d'ESMS",
    "mois": "Dernier mois de données",
    "atteintes": "Cibles atteintes",
    "retards": "Étapes en retard",
}


def _grappes_of_region(region, today, query=""):
    """The region's grappes (a queryset) with their ESMS count, current step and late steps as
    subqueries: one query whatever their number, and PostgreSQL evaluates them after the LIMIT
    of a page for the columns the sort does not need."""
    # order_by(): Meta.ordering (by ESMS name) would join every ESMS into each count.
    esms_count = (
        EsmsMembership.objects.filter(grappe=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("grappe")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = Etape.objects.filter(
        plan__grappe=OuterRef("pk"), skipped=False, actual_end__isnull=True
    ).order_by("ordre", "pk")
    late = (
        Etape.objects.late(today)
        .filter(plan__grappe=OuterRef("pk"))
        .values("plan__grappe")
        .annotate(n=Count("pk"))
        .values("n")
    )
    has_plan = Etape.objects.filter(plan__grappe=OuterRef("pk")).values("pk")[:1]
    grappes = (
        Grappe.objects.filter(region=region)
        .only("pk", "name", "region_id")
        .annotate(
            nb_esms=Coalesce(Subquery(esms_count, output_field=IntegerField()), Value(0)),
            etape_ordre=Subquery(pending.values("ordre")[:1]),
            etape_titre=Subquery(pending.values("titre")[:1]),
            retards=Coalesce(Subquery(late, output_field=IntegerField()), Value(0)),
            avec_plan=Subquery(has_plan),
        )
        .order_by("name", "pk")
    )
    if query:
        grappes = grappes.filter(name__icontains=query)
    return grappes


# The summary's state, for the region table's « cibles » filter (one subquery, not three).
SANS_DONNEES, NON_ATTEINTES, ATTEINTES = 0, 1, 2
ETATS = {"sans_donnees": SANS_DONNEES, "non_atteintes": NON_ATTEINTES, "atteintes": ATTEINTES}


def _with_synthese(grappes, selected, *fields, nb_indicateurs=None):
    """The grappes annotated with their latest month with data up to `selected` (any month when
    None), `dernier_mois`, and the named fields of that month's summary (SyntheseGrappe) as
    `s_<field>`, plus `s_etat` (SANS_DONNEES, NON_ATTEINTES, ATTEINTES) when nb_indicateurs, the
    number of active indicators, is given: one probe of (grappe, mois) per grappe and field."""
    latest = SyntheseGrappe.objects.filter(grappe=OuterRef("pk")).order_by("-mois")
    if selected is not None:
        latest = latest.filter(mois__lte=selected)
    annotations = {"dernier_mois": Subquery(latest.values("mois")[:1])}
    for name in fields:
        annotations[f"s_{name}"] = Subquery(latest.values(name)[:1])
    if nb_indicateurs is not None:
        # A summary counted before an indicator was activated does not tell « toutes
        # atteintes »; no summary at all is « sans données ».
        etat = latest.annotate(
            etat=Case(
                When(toutes_atteintes=True, nb_indicateurs=nb_indicateurs, then=ATTEINTES),
                When(avec_donnees=True, then=NON_ATTEINTES),
                default=SANS_DONNEES,
                output_field=IntegerField(),
            )
        )
        annotations["s_etat"] = Coalesce(Subquery(etat.values("etat")[:1]), SANS_DONNEES)
    return grappes.annotate(**annotations)


def _paged(grappes, number):
    """Page `number` of the grappes (a sorted queryset), as Paginator.get_page would give it
    (the first page for a non-number, the last for one past it), with the number of grappes
    counted by the same query (a window): the filters' subqueries run once per grappe, not
    once for the count and again for the page. Returns (Page, grappes of the page)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    counted = grappes.annotate(total=Window(Count("pk")))
    shown = []
    if number >= 1:
        start = (number - 1) * REGION_PAGE_SIZE
        shown = list(counted[start : start + REGION_PAGE_SIZE])
    if shown:
        total = shown[0].total
    elif number == 1:
        total = 0  # an empty first page: nothing matches
    else:
        # Past the last page (or none): the last one, as Paginator.get_page does.
        total = grappes.count()
        number = max(1, -(-total // REGION_PAGE_SIZE))
        start = (number - 1) * REGION_PAGE_SIZE
        shown = list(grappes[start : start + REGION_PAGE_SIZE])
    paginator = Paginator(range(total), REGION_PAGE_SIZE)
    return paginator.page(number), shown


def _rows(grappes, indicateurs):
    """The table's rows for these grappes (annotated by _with_synthese): their values on their
    latest month and their tranches, two queries for the lot."""
    pks = [grappe.pk for grappe in grappes]
    months = {grappe.dernier_mois for grappe in grappes if grappe.dernier_mois}
    values = {}
    if months:
        rows = ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE, grappe_id__in=pks, mois__in=months, indicateur__actif=True
        ).only(
            "indicateur_id", "grappe_id", "mois", "numerateur", "denominateur", "cible", "majorant"
        )
        latest = {grappe.pk: grappe.dernier_mois for grappe in grappes}
        for value in rows.order_by():
            if latest.get(value.grappe_id) == value.mois:
                values[(value.grappe_id, value.indicateur_id)] = value
    tranches = {}
    for t in Tranche.objects.filter(grappe_id__in=pks).order_by("grappe", "numero"):
        tranches.setdefault(t.grappe_id, []).append(t)
    table = []
    for grappe in grappes:
        cellules = [Cellule(i, values.get((grappe.pk, i.pk))) for i in indicateurs]
        figures = resume(cellules)
        table.append(
            {
                "grappe": grappe,
                "dernier_mois": grappe.dernier_mois,
                "cellules": cellules,
                "atteintes": figures["atteintes"],
                "avec_donnees": figures["avec_donnees"],
                "toutes_atteintes": figures["toutes_atteintes"],
                "tranches": tranches.get(grappe.pk, []),
            }
        )
    return table


def region_months(region):
    """Months with data in the region. The computation writes the region's row whenever it
    writes grappe rows (measured when one of them is), so the few region rows answer; the
    grappe rows are the fallback."""
    months = set(
        ValeurIndicateur.objects.filter(niveau=Niveau.REGION, region=region).mois_mesures()
    )
    months = months or set(
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe__region=region).mois_mesures()
    )
    return sorted(months)


def _trend(region, indicateurs, months):
    """Regional values per month: the region-level rows; when the computation has not written
    them, the same figure from the grappes' numerators and denominators (sums, never a mean)."""
    by_pk = {indicateur.pk: indicateur for indicateur in indicateurs}
    values = {
        (v.indicateur_id, v.mois): Taux.de(v, by_pk[v.indicateur_id])
        for v in ValeurIndicateur.objects.filter(
            niveau=Niveau.REGION, region=region, mois__in=months, indicateur_id__in=by_pk
        )
    }
    if not values:
        sums = (
            ValeurIndicateur.objects.filter(
                niveau=Niveau.GRAPPE,
                grappe__region=region,
                mois__in=months,
                indicateur_id__in=by_pk,
            )
            .order_by()
            .values("indicateur_id", "mois")
            .annotate(num=Sum("numerateur"), den=Sum("denominateur"))
        )
        for row in sums:
            indicateur = by_pk[row["indicateur_id"]]
            values[(indicateur.pk, row["mois"])] = Taux(
                row["num"], row["den"], indicateur.facteur, indicateur.cible
            )
    courbes = []
    for indicateur in indicateurs:
        points = [(m, values.get((indicateur.pk, m), MANQUANT)) for m in months]
        courbes.append(
            {
                "indicateur": indicateur,
                "svg": line_chart_svg(
                    f"{indicateur.libelle} (région)",
                    points,
                    indicateur.cible,
                    width=380,
                    height=180,
                    code=indicateur.code,
                ),
                "table": [
                    (mois_label(m, short=False), "—" if v == MANQUANT else v.texte())
                    for m, v in points
                ],
            }
        )
    return courbes


def region_context(region, params=None, today=None, *, paginate=True):
    """The region table (filtered, sorted, paged), its trend, for the month asked (default: the
    latest month with data in the region). `params` is request.GET or a dict."""
    params = params or {}
    today = today or timezone.localdate()
    indicateurs = indicateurs_actifs()
    query = (params.get("q") or "").strip()
    cibles = params.get("cibles", "")
    cibles = cibles if cibles in dict(CIBLES_FILTRES) else ""
    tranche = params.get("tranche", "")
    tranche = tranche if tranche in StatutTranche.values else ""
    tri = params.get("tri", "nom")
    descending = tri.startswith("-")
    if tri.lstrip("-") not in SORTS:
        tri, descending = "nom", False

    available = region_months(region)
    selected = parse_month(params.get("mois", ""))
    if selected not in available:
        selected = available[-1] if available else None

    # Filters, sort and paging in SQL on the summaries (SyntheseGrappe); values, tranches and
    # the other apps' columns for the rows shown only: a page costs the same whatever the
    # number of grappes. The PDF (paginate=False) reads every grappe of the region.
    grappes = _with_synthese(
        _grappes_of_region(region, today, query),
        selected,
        *(["atteintes"] if tri.lstrip("-") == "atteintes" else []),
        nb_indicateurs=len(indicateurs) if cibles else None,
    )
    if cibles:
        grappes = grappes.filter(s_etat=ETATS[cibles])
    if tranche:
        grappes = grappes.filter(
            Exists(Tranche.objects.filter(grappe=OuterRef("pk"), statut=tranche))
        )
    key = {
        "nom": Lower("name"),
        "esms": F("nb_esms"),
        "mois": F("dernier_mois"),
        "atteintes": Coalesce("s_atteintes", 0),
        "retards": F("retards"),
    }[tri.lstrip("-")]
    # Ties by name, the case ignored (then by id): the order of the in-memory sort it replaces;
    # no month (no data) counts as the earliest.
    key = key.desc(nulls_last=True) if descending else key.asc(nulls_first=True)
    grappes = grappes.order_by(key, Lower("name"), "pk")

    page = None
    if paginate:
        page, grappes_shown = _paged(grappes, params.get("page"))
        shown = _rows(grappes_shown, indicateurs)
        nb_resultats = page.paginator.count
    else:
        shown = _rows(list(grappes), indicateurs)
        nb_resultats = len(shown)
    filtered = bool(query or cibles or tranche)
    total_grappes = Grappe.objects.filter(region=region).count() if filtered else nb_resultats
    if page is not None:
        page.object_list = shown
    # The columns other apps add (indicateurs.extensions), for the rows shown only: their cost
    # stays that of one page whatever the number of grappes in the region.
    colonnes = region_columns([row["grappe"] for row in shown])
    for row in shown:
        row["colonnes"] = [
            {"cle": colonne["cle"], **colonne["valeurs"].get(row["grappe"].pk, {})}
            for colonne in colonnes
        ]
    trend_months = _chart_months(available, selected) if selected else []
    courbes = _trend(region, indicateurs, trend_months) if trend_months else []
    return {
        "region": region,
        "today": today,
        "indicateurs": indicateurs,
        "mois": selected,
        "mois_libelle": mois_label(selected, short=False) if selected else "",
        "mois_disponibles": [(m, mois_label(m, short=False)) for m in available[::-1]],
        "rows": shown,
        "colonnes": colonnes,
        "page": page,
        "nb_resultats": nb_resultats,
        "nb_grappes": total_grappes,
        "q": query,
        "cibles": cibles,
        "tranche": tranche,
        "tri": ("-" if descending else "") + tri.lstrip("-"),
        "tri_cle": tri.lstrip("-"),
        "tri_desc": descending,
        "sorts": [
            {
                "cle": key,
                "label": label,
                # Clicking the current sort reverses it.
                "suivant": f"-{key}" if key == tri.lstrip("-") and not descending else key,
                "actif": key == tri.lstrip("-"),
            }
            for key, label in SORTS.items()
        ],
        "cibles_choices": CIBLES_FILTRES,
        "tranche_choices": StatutTranche.choices,
        "filtres_actifs": bool(query or cibles or tranche),
        "courbes": courbes,
        # The same figures month by month, one column per indicator (the PDF's data table).
        "tendance_table": [
            (label, [courbe["table"][index][1] for courbe in courbes])
            for index, (label, _) in enumerate(courbes[0]["table"] if courbes else [])
        ],
        "tranches_par_statut": _tranches_by_status(region),
        "legend": _legend(),
        "has_data": bool(available),
    }


def _tranches_by_status(region):
    """Number and amount of the region's tranches per status: one GROUP BY."""
    totals = {
        row["statut"]: row
        for row in Tranche.objects.filter(grappe__region=region)
        .order_by()
        .values("statut")
        .annotate(nombre=Count("pk"), montant=Sum("montant"))
    }
    return [
        {
            "statut": value,
            "label": label,
            "nombre": totals.get(value, {}).get("nombre", 0),
            "montant": totals.get(value, {}).get("montant") or Decimal(0),
        }
        for value, label in StatutTranche.choices
    ]


def region_alertes(region, today, extra=None, limit=10, statuts=()):
    """What the home page's ARS section shows of a region, in a fixed number of queries whatever
    its number of grappes: the grappes at risk — late steps, targets « loin » on their latest
    month (SyntheseGrappe), or a weight of their own in `extra` ({grappe id: n}, e.g. late
    minutes) —, the worst first (late steps + targets far + extra, then the points missing),
    `limit` of them as region table rows, and their number; the region's tranches of the given
    statuses with their grappe; the number of grappes."""
    extra = {pk: n for pk, n in (extra or {}).items() if n}
    grappes = _with_synthese(_grappes_of_region(region, today), None, "loin", "ecart_loin")
    bonus = Case(
        *(When(pk=pk, then=Value(n)) for pk, n in extra.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    grappes = grappes.annotate(nb_loin=Coalesce("s_loin", 0))
    at_risk = grappes.annotate(gravite=F("retards") + F("nb_loin") + bonus).filter(
        Q(retards__gt=0) | Q(nb_loin__gt=0) | Q(pk__in=list(extra))
    )
    worst = list(
        at_risk.order_by(
            F("gravite").desc(),
            F("s_ecart_loin").desc(nulls_last=True),
            Lower("name"),
            "pk",
        )[:limit]
    )
    indicateurs = indicateurs_actifs()
    tranches = list(
        Tranche.objects.filter(grappe__region=region, statut__in=statuts).select_related("grappe")
    )
    return {
        "nb_grappes": Grappe.objects.filter(region=region).count(),
        "rows": _rows(worst, indicateurs),
        "nb_risques": at_risk.count(),
        "tranches": tranches,
    }


# ---------------------------------------------------------------------------------------------
# National view
# ---------------------------------------------------------------------------------------------


def national_context(today=None):
    """One row per region: grappes, ESMS, latest regional values, tranches by status."""
    today = today or timezone.localdate()
    indicateurs = indicateurs_actifs()
    regions = list(Region.objects.order_by("name"))
    grappes = dict(
        Grappe.objects.order_by()
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    esms = dict(
        EsmsMembership.objects.filter(left_on__isnull=True)
        .order_by()
        .values("grappe__region_id")
        .annotate(n=Count("pk"))
        .values_list("grappe__region_id", "n")
    )
    # Latest month with data per region and its values: the region-level rows the computation
    # writes with the grappe rows (a few per region and month, whatever the number of grappes).
    factors = {i.pk: i for i in indicateurs}
    region_rows = ValeurIndicateur.objects.filter(niveau=Niveau.REGION)
    latest = dict(
        region_rows.mesurees()
        .order_by()
        .values("region_id")
        .annotate(dernier=Max("mois"))
        .values_list("region_id", "dernier")
    )
    values = {}
    for value in region_rows.filter(
        mois__in=set(latest.values()), indicateur_id__in=factors
    ).order_by():
        if latest.get(value.region_id) == value.mois:
            values[(value.region_id, value.indicateur_id)] = Taux.de(
                value, factors[value.indicateur_id]
            )
    # A region with grappes but no region rows (months computed before those existed): the
    # same figures from its grappe rows, read for these regions only.
    legacy = [pk for pk in grappes if pk not in latest]
    if legacy:
        legacy_rows = ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE, grappe__region_id__in=legacy
        )
        latest.update(
            legacy_rows.mesurees()
            .order_by()
            .values("grappe__region_id")
            .annotate(dernier=Max("mois"))
            .values_list("grappe__region_id", "dernier")
        )
        sums = (
            legacy_rows.filter(mois__in={latest[pk] for pk in legacy if pk in latest})
            .order_by()
            .values("grappe__region_id", "mois", "indicateur_id")
            .annotate(num=Sum("numerateur"), den=Sum("denominateur"))
        )
        for row in sums:
            region_id, indicateur = row["grappe__region_id"], factors.get(row["indicateur_id"])
            if indicateur is not None and latest.get(region_id) == row["mois"]:
                values[(region_id, indicateur.pk)] = Taux(
                    row["num"], row["den"], indicateur.facteur, indicateur.cible
                )
    # The grappes meeting each target on their region's latest month: that month's grappe
    # rows only (one row per grappe and indicator), never every month of every grappe.
    atteintes = {}
    for row in (
        # indicateur_id too: the leading column of valeur_unique_grappe, else a full scan.
        ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE,
            indicateur_id__in=factors,
            mois__in=set(latest.values()),
            atteinte=True,
        )
        .order_by()
        .values("grappe__region_id", "mois", "indicateur_id")
        .annotate(n=Count("pk"))
    ):
        if latest.get(row["grappe__region_id"]) == row["mois"]:
            atteintes[(row["grappe__region_id"], row["indicateur_id"])] = row["n"]
    tranches = {}
    for row in (
        Tranche.objects.order_by()
        .values("grappe__region_id", "statut")
        .annotate(n=Count("pk"), montant=Sum("montant"))
    ):
        tranches.setdefault(row["grappe__region_id"], {})[row["statut"]] = row
    rows = []
    for region in regions:
        cellules = []
        for indicateur in indicateurs:
            taux = values.get((region.pk, indicateur.pk))
            calculable = taux is not None and taux.calculable
            cellules.append(
                {
                    "indicateur": indicateur,
                    "taux": taux if calculable else None,
                    "texte": taux.texte() if calculable else "—",
                    "atteinte": calculable and bool(taux.atteinte),
                    "grappes_atteintes": atteintes.get((region.pk, indicateur.pk), 0),
                }
            )
        by_status = tranches.get(region.pk, {})
        rows.append(
            {
                "region": region,
                "nb_grappes": grappes.get(region.pk, 0),
                "nb_esms": esms.get(region.pk, 0),
                "dernier_mois": latest.get(region.pk),
                "cellules": cellules,
                "tranches": [
                    {
                        "label": label,
                        "nombre": by_status.get(value, {}).get("n", 0),
                        "montant": by_status.get(value, {}).get("montant") or Decimal(0),
                    }
                    for value, label in StatutTranche.choices
                ],
            }
        )
    return {
        "today": today,
        "indicateurs": indicateurs,
        "rows": rows,
        "tranche_choices": StatutTranche.choices,
    }


def report_rows(grappe, today):
    """The grappe's latest month with data, as rows of the projets progress report (registered
    in IndicateursConfig.ready() through projets.extensions)."""
    latest = (
        ValeurIndicateur.objects.filter(niveau=Niveau.GRAPPE, grappe=grappe, mois__lte=today)
        .mesurees()
        .order_by("-mois")
        .values_list("mois", flat=True)
        .first()
    )
    if latest is None:
        return []
    values = (
        ValeurIndicateur.objects.filter(
            niveau=Niveau.GRAPPE, grappe=grappe, mois=latest, indicateur__actif=True
        )
        .select_related("indicateur")
        .order_by("indicateur__ordre", "indicateur__code")
    )
    return [
        {
            "libelle": value.indicateur.libelle,
            "valeur": Taux.de(value, value.indicateur).texte(),
            "cible": f"{fr_cible(value.cible)} %",
            "periode": mois_label(latest, short=False)
            + (" (première mesure, 3 mois)" if value.premiere_mesure else ""),
        }
        for value in values
    ]
