"""Monthly computation of the indicators, and the second payment tranche.

`compute_month(mois, grappe=None)` writes, for one month, one ValeurIndicateur per (indicator,
ESMS), per (OG, grappe), per grappe and per region, in a handful of set-based SQL statements
(INSERT … SELECT … GROUP BY; the number of statements does not depend on the number of ESMS).

Rules (DOMAIN.md §5, seed 000 §2.3) and the choices made where the texts are silent:

* Aggregates are Σ numerators ÷ Σ denominators × facteur, never a mean of rates.
* valeur is None ("non calculable") when the denominator is zero or missing — never 0.
* Missing data: for one ESMS and one indicator, when the numerator or the denominator is missing
  (NULL), the ESMS is left out of BOTH sums of the aggregates (counting its denominator without its
  numerator would pull the rate down for a data gap, not for a usage gap). Its own value is None.
* First measure: a grappe's month 1 is the first month for which any of its ESMS has data. Months
  1 and 2 are not assessed at grappe level: ESMS and OG values are written (monthly, for
  follow-up), no grappe or region value. Month 3 is the first measure: for the flow indicators
  (Indicateur.cumul_premiere_mesure: MSSanté messages, DMP fed — the seed states the 3-month
  period for these two only) numerators are summed over months 1–3 (a missing month adds
  nothing) over the denominators of month 3; stock indicators (DUI active files) take month 3's
  figures, since summing a stock over 3 months would triple it. Every value of that grappe for
  that month is flagged premiere_mesure. From month 4 on: the elapsed month alone.
* An ESMS in several active grappes (an anomaly) counts in the first of them only (lowest id).
* A month with no data at all for an ESMS still gets its ESMS rows (valeur None), so dashboards
  show "non calculable" rather than nothing.
* Target met: valeur ≥ cible, compared exactly (numerateur × facteur ≥ cible × denominateur), so
  70.0 meets 70. A non-calculable value does not meet its target (atteinte None).
* Applicable indicators of a grappe: actif, and types_projet / aaps empty or matching the grappe.
* Region values: Σ over the region's assessed grappes (grappe rows of the month).
* Idempotent: a run deletes then inserts the values of its scope (month, grappe or all) in one
  transaction, under a PostgreSQL advisory lock per month so that concurrent runs serialise.

Tranche 2 (the one paid when targets are met) becomes due exactly once: a conditional
`UPDATE … WHERE statut='prevue'` (one winner under concurrency), the figures frozen in
`declenchement` with the month's coverage. It needs the financing convention signed
(Grappe.convention_signed_on) and the month assessed on the grappe's ESMS: when fewer of the ESMS
it holds that month (EsmsMembership.held_in) than the call's Aap.couverture_min (100 % by
default) reported every figure, the month is « non évaluable » and meets no target. A later
recomputation of that month with the targets no longer met does not
revoke it: statut → a_revoir with a motif (a paid tranche keeps payee and gets the motif).
A tranche falling due is told to the region's ARS agents after the commit, by a task of the
`mails` queue retried while the relay refuses (notify_after_commit): the e-mail never fails the
computation, and the tranche records when it went (ars_prevenue_le).
"""

import datetime
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url, send_templated_mail
from core.money import CENT, allocate, euros
from core.months import add_months, month_start, months_between
from core.text import agree, plural
from grappe.enums import EvenementTranche
from grappe.models import AapTranche, Esms, EsmsMembership, Grappe, HistoryEntry
from indicateurs.enums import Niveau, StatutCalcul, StatutTranche
from indicateurs.models import (
    PERIOD_FIELDS,
    USAGE_FIELDS,
    CalculMensuel,
    Indicateur,
    SyntheseGrappe,
    Tranche,
    UsageMensuel,
    ValeurIndicateur,
)
from indicateurs.taux import Taux, fr_cible, pourcent
from users.models import User

# The tranche paid when usage targets are met (seed 000 §2.3: 50 % at signature, 50 % at targets),
# and the split of a grappe without a call (a call's own split is its AapTranche rows).
TRANCHE_CIBLES = 2
DEFAULT_TRANCHES = [(1, Decimal(50)), (2, Decimal(50))]
ADVISORY_LOCK_BASE = 740_000_000
# A due tranche whose e-mail never went (the broker out of reach, every retry of the task failed,
# no ARS agent in the region yet) is told again by the computations run once its own task's
# retries (about 4 hours, indicateurs.tasks.notify_tranche_due) are over.
RETELL_AFTER = datetime.timedelta(days=1)
# Per-connection scratch table of a computation (ESMS counts of the month and of the window).
BASE_TABLE = "indicateurs_calcul_base"


# ---------------------------------------------------------------------------------------------
# Applicability
# ---------------------------------------------------------------------------------------------


def applicable_indicateurs(grappe, indicateurs=None):
    """The active indicators that apply to a grappe (types_projet / aaps empty = all)."""
    if indicateurs is None:
        indicateurs = Indicateur.objects.filter(actif=True).prefetch_related("aaps")
    result = []
    for indicateur in indicateurs:
        if indicateur.types_projet and grappe.type_projet not in indicateur.types_projet:
            continue
        aap_ids = {aap.pk for aap in indicateur.aaps.all()}
        if aap_ids and grappe.aap_id not in aap_ids:
            continue
        result.append(indicateur)
    return result


def _applicability_sql(indicateur, aap_ids):
    """(SQL condition on grappe alias g, params) for an indicator's applicability."""
    parts, params = [], []
    if indicateur.types_projet:
        parts.append("g.type_projet IN (" + ", ".join(["%s"] * len(indicateur.types_projet)) + ")")
        params.extend(indicateur.types_projet)
    if aap_ids:
        parts.append("g.aap_id IN (" + ", ".join(str(int(pk)) for pk in aap_ids) + ")")
    return (" AND ".join(parts) or "1 = 1"), params


def _ids(values):
    """An SQL list of integers (our own ids, never user input); (NULL) when empty."""
    values = [str(int(value)) for value in values]
    return "(" + ", ".join(values) + ")" if values else "(NULL)"


# ---------------------------------------------------------------------------------------------
# Computation
# ---------------------------------------------------------------------------------------------


def _rate_sql(n, d, majorant="0"):
    """valeur and atteinte expressions from numerator/denominator expressions (alias i). An
    upper bound (majorant = 1) is not assessed: its target is neither met nor missed."""
    missing = f"{n} IS NULL OR {d} IS NULL OR {d} = 0"
    valeur = f"CASE WHEN {missing} THEN NULL ELSE ROUND(({n} * i.facteur * 1.0) / {d}, 2) END"
    atteinte = (
        f"CASE WHEN {missing} OR {majorant} = 1 THEN NULL "
        f"WHEN {n} * i.facteur >= i.cible * {d} THEN TRUE ELSE FALSE END"
    )
    return valeur, atteinte


def _flag(expression):
    """A 0/1 SQL integer as a boolean column's value (portable: SQLite and PostgreSQL)."""
    return f"CASE WHEN {expression} = 1 THEN TRUE ELSE FALSE END"


VALEUR_COLUMNS = (
    "indicateur_id, mois, niveau, esms_id, og_id, grappe_id, region_id, numerateur, "
    "denominateur, valeur, cible, atteinte, premiere_mesure, majorant, computed_at"
)


def _tables():
    return {
        "vi": ValeurIndicateur._meta.db_table,
        "ind": Indicateur._meta.db_table,
        "usage": UsageMensuel._meta.db_table,
        "mb": EsmsMembership._meta.db_table,
        "esms": Esms._meta.db_table,
        "grappe": Grappe._meta.db_table,
    }


def measurement_start(in_service_on):
    """The first month measured after a DUI's mise en service: its month when the DUI went live
    on the 1st, else the next one (the first measure covers three full months of service)."""
    start = month_start(in_service_on)
    return start if in_service_on.day == 1 else add_months(start, 1)


def grappe_measurement_starts(grappes):
    """{grappe_id: first measured month} from the mise en service recorded per ESMS
    (EsmsMembership.dui_in_service_on, set on the plan's « Mise en service du DUI » milestone).
    Deployment may come in waves: the grappe's targets are measured once the last recorded
    wave is in service, as every ESMS must report for a month to be assessed. A grappe with no
    recorded mise en service has no start: its figures are followed, never assessed."""
    rows = (
        EsmsMembership.objects.active()
        .filter(grappe__in=grappes, dui_in_service_on__isnull=False)
        .values("grappe_id")
        .annotate(last=Max("dui_in_service_on"))
    )
    return {row["grappe_id"]: measurement_start(row["last"]) for row in rows}


def _phases(mois, grappe):
    """{grappe_id: month index} for the grappes in scope: 0 for the first month measured since
    the DUI's mise en service, 2 for the first measure; -1 for a grappe whose ESMS sent figures
    before its mise en service (ESMS and OG values are written for follow-up, the grappe is not
    assessed). A grappe with neither figures nor mise en service is left out."""
    memberships = EsmsMembership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=mois))
    if grappe is not None:
        memberships = memberships.filter(grappe=grappe)
    grappe_ids = memberships.values("grappe_id")
    starts = grappe_measurement_starts(grappe_ids)
    phases = {pk: months_between(start, mois) for pk, start in starts.items() if start <= mois}
    # Each membership's data is one probe of the (esms, mois) unique index.
    has_data = UsageMensuel.objects.filter(esms_id=OuterRef("esms_id"), mois__lte=mois)
    with_data = memberships.filter(Exists(has_data)).order_by().values_list("grappe_id", flat=True)
    for pk in set(with_data):
        phases.setdefault(pk, -1)
    return phases


def compute_month(mois, grappe=None):
    """Compute (or recompute) every value of a month, for one grappe or all; returns the
    CalculMensuel of the run."""
    mois = month_start(mois)
    run = CalculMensuel.objects.create(mois=mois, grappe=grappe, statut=StatutCalcul.EN_COURS)
    try:
        with transaction.atomic():
            # Our own row stays locked while we run (or wait for the month's lock): that is how
            # close_interrupted_runs tells a live run from one whose process died.
            list(CalculMensuel.objects.select_for_update().filter(pk=run.pk).values_list("pk"))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s)",
                        [ADVISORY_LOCK_BASE + mois.year * 12 + mois.month],
                    )
                    # JIT compilation costs more than it saves on these one-pass statements.
                    cursor.execute("SET LOCAL jit = off")
                    # The values are a cache recomputed from the usage data: losing the last
                    # commit in a server crash costs a rerun, not data, so the commit need not
                    # wait for its WAL flush.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    # The OG aggregation (~40 000 groups) spills to disk with the 4 MB default.
                    cursor.execute("SET LOCAL work_mem = '64MB'")
            close_interrupted_runs(run)
            retell_untold_tranches(grappe)
            lignes = _compute(mois, grappe)
            ensure_tranches(Grappe.objects.filter(pk=grappe.pk) if grappe else None)
            update_tranches(mois, grappe)
    except Exception as exc:
        run.statut = StatutCalcul.ECHEC
        run.erreur = f"{type(exc).__name__}: {exc}"
        run.ended_at = timezone.now()
        run.save(update_fields=["statut", "erreur", "ended_at"])
        raise
    run.statut = StatutCalcul.TERMINE
    run.lignes = lignes
    run.erreur = ""
    run.ended_at = timezone.now()
    run.save(update_fields=["statut", "lignes", "erreur", "ended_at"])
    return run


def close_interrupted_runs(run):
    """Runs of the month still "en cours" whose row nobody holds were cut off (a worker killed,
    a server stopped: their transaction, and its row lock, died with them); a live run, even one
    waiting for the month's lock, holds its row and is skipped. Recorded as failed, in this run's
    transaction."""
    cut_off = (
        CalculMensuel.objects.select_for_update(skip_locked=True)
        .filter(mois=run.mois, statut=StatutCalcul.EN_COURS)
        .exclude(pk=run.pk)
        .values_list("pk", flat=True)
    )
    CalculMensuel.objects.filter(pk__in=list(cut_off)).update(
        statut=StatutCalcul.ECHEC,
        ended_at=timezone.now(),
        erreur=f"Interrompu avant la fin (processus arrêté) ; repris par le calcul n° {run.pk}.",
    )


def _compute(mois, grappe):
    total = _compute_values(mois, grappe)
    # The month's summaries follow its grappe values, in the same transaction (one deleted with
    # its values when they are, e.g. a recomputation after every ESMS left).
    write_syntheses(mois, None if grappe is None else [grappe.pk])
    return total


# What a summary reads of a grappe value (what tableaux.Cellule and taux.Taux.de read of it).
_SyntheseValeur = namedtuple(
    "_SyntheseValeur",
    "grappe_id indicateur_id numerateur denominateur valeur cible majorant",
)


def write_syntheses(mois, grappe_ids=None, *, models=None):
    """Rewrite the SyntheseGrappe rows of a month, for the given grappes or all, from their
    grappe-level values; returns the number written. The figures are the region table's
    (tableaux.resume over tableaux.Cellule), not a copy of its rules. `models` = (SyntheseGrappe,
    ValeurIndicateur, Indicateur), historical ones in a data migration."""
    from indicateurs.tableaux import Cellule, resume  # noqa: PLC0415 (cycle: tableaux imports this module)

    synthese_model, valeur_model, indicateur_model = models or (
        SyntheseGrappe,
        ValeurIndicateur,
        Indicateur,
    )
    syntheses = synthese_model.objects.filter(mois=mois)
    values = valeur_model.objects.filter(niveau=Niveau.GRAPPE, mois=mois)
    if grappe_ids is not None:
        syntheses = syntheses.filter(grappe_id__in=grappe_ids)
        values = values.filter(grappe_id__in=grappe_ids)
    syntheses.delete()
    indicateurs = list(indicateur_model.objects.filter(actif=True).order_by("ordre", "code"))
    by_grappe, measured = {}, set()
    # Plain tuples, not model instances: a national month is 7 500 grappe values to read.
    read = values.order_by().values_list(*_SyntheseValeur._fields)
    for value in map(_SyntheseValeur._make, read):
        by_grappe.setdefault(value.grappe_id, {})[value.indicateur_id] = value
        if value.valeur is not None:
            measured.add(value.grappe_id)
    rows = []
    # Only the months a dashboard may open on (a measured value, of any indicator: the region
    # table's "latest month with data").
    for grappe_id in sorted(measured):
        figures = resume([Cellule(i, by_grappe[grappe_id].get(i.pk)) for i in indicateurs])
        ecart = figures["ecart_loin"]
        rows.append(
            synthese_model(
                grappe_id=grappe_id,
                mois=mois,
                nb_indicateurs=len(indicateurs),
                atteintes=figures["atteintes"],
                loin=figures["loin"],
                ecart_loin=(Decimal(ecart.numerator) / Decimal(ecart.denominator)).quantize(
                    CENT, ROUND_HALF_UP
                ),
                avec_donnees=figures["avec_donnees"],
                toutes_atteintes=figures["toutes_atteintes"],
            )
        )
    synthese_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _compute_values(mois, grappe):
    t = _tables()
    ops = connection.ops
    mois_sql = ops.adapt_datefield_value(mois)
    now_sql = ops.adapt_datetimefield_value(timezone.now())
    phases = _phases(mois, grappe)
    first_ids = [pk for pk, k in phases.items() if k == 2]
    assessed_ids = [pk for pk, k in phases.items() if k >= 2]
    scope_region = grappe.region_id if grappe is not None else None

    # 1. Delete the scope's values for the month (fast deletes: no relation points at them).
    values = ValeurIndicateur.objects.filter(mois=mois)
    if grappe is None:
        values.delete()
    else:
        member_esms = EsmsMembership.objects.filter(grappe=grappe).values("esms_id")
        values.filter(niveau=Niveau.ESMS, esms_id__in=member_esms).delete()
        values.filter(niveau__in=[Niveau.OG, Niveau.GRAPPE], grappe=grappe).delete()
        values.filter(niveau=Niveau.REGION, region_id=scope_region).delete()

    if not phases:
        total = 0
        if scope_region is not None:
            total += _insert_region(t, mois_sql, now_sql, scope_region)
        return total

    active = f"(m.left_on IS NULL OR m.left_on >= {_quote(mois_sql)})"
    indicateurs = list(
        Indicateur.objects.filter(actif=True).prefetch_related("aaps", "categories_exclues")
    )
    total = 0
    with connection.cursor() as cursor:
        # 2. b, a temporary table with one row per ESMS in scope: its grappe and OG, whether
        # this month is the grappe's first measure, and per indicator k its numerator n_k and
        # denominator d_k (the month's counts, or for a first measure of a cumulative
        # indicator the numerator summed over the 3-month window). The indicators' columns
        # are known here, so the statements below are plain column reads with no CASE on
        # field names per (ESMS × indicator) row.
        usable = [
            i
            for i in indicateurs
            if i.numerateur in USAGE_FIELDS and i.denominateur in USAGE_FIELDS
        ]
        if usable:
            sums = ", ".join(
                f"SUM(CASE WHEN u.mois = %s THEN u.{name} END) AS cur_{name}, "
                f"SUM(u.{name}) AS cum_{name}"
                for name in USAGE_FIELDS
            )
            picks = [_pick(indicateur) for indicateur in usable]
            cursor.execute(f"DROP TABLE IF EXISTS {BASE_TABLE}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {BASE_TABLE} AS
                SELECT x.esms_id, x.grappe_id, x.og_id, x.categorie_id, x.premiere,
                       {", ".join(picks)}
                FROM (
                    SELECT mm.esms_id, mm.grappe_id, e.og_id, e.categorie_id,
                           CASE WHEN mm.grappe_id IN {_ids(first_ids)} THEN TRUE ELSE FALSE
                           END AS premiere,
                           {sums}
                    FROM (
                        SELECT m.esms_id, MIN(m.grappe_id) AS grappe_id
                        FROM {t["mb"]} m WHERE {active} GROUP BY m.esms_id
                    ) mm
                    JOIN {t["esms"]} e ON e.id = mm.esms_id
                    LEFT JOIN {t["usage"]} u
                      ON u.esms_id = mm.esms_id AND u.mois >= %s AND u.mois <= %s
                      AND (u.mois = %s OR mm.grappe_id IN {_ids(first_ids)})
                    WHERE mm.grappe_id IN {_ids(phases)}
                    GROUP BY mm.esms_id, mm.grappe_id, e.og_id, e.categorie_id
                ) x
                ORDER BY x.esms_id
                """,
                [
                    *([mois_sql] * len(USAGE_FIELDS)),
                    # The 3-month window only for the grappes whose first measure this is.
                    ops.adapt_datefield_value(add_months(mois, -2) if first_ids else mois),
                    mois_sql,
                    mois_sql,
                ],
            )
            # No ANALYZE of b: the statements below scan it whole (no join order to choose).
            # b is in ESMS order, so each indicator's ESMS rows enter valeur_unique_esms
            # (esms, mois, indicateur) in key order: one ordered pass over the index.

            def unpivot(source, columns, esms_level=False):
                """One row per (row of source, applicable indicator): a UNION ALL of one
                branch per indicator (portable, and each branch is a plain scan). ESMS rows
                only for the ESMS whose category the indicator applies to."""
                branches, params = [], []
                for indicateur in usable:
                    k = int(indicateur.pk)
                    condition, condition_params = _applicability_sql(
                        indicateur, [aap.pk for aap in indicateur.aaps.all()]
                    )
                    excluded = _excluded(indicateur)
                    if esms_level and excluded:
                        condition += f" AND r.categorie_id NOT IN {_ids(excluded)}"
                    grappe_join = ""
                    if condition_params or "g." in condition:
                        grappe_join = f"JOIN {t['grappe']} g ON g.id = r.grappe_id"
                    branches.append(
                        f"SELECT {k} AS indicateur_id, {columns}, r.premiere, "
                        f"r.n_{k} AS n, r.d_{k} AS d, {_m(indicateur, 'r')} AS m FROM {source} r "
                        f"{grappe_join} WHERE {condition}"
                    )
                    params.extend(condition_params)
                return " UNION ALL ".join(branches), params

            valeur, atteinte = _rate_sql("s.n", "s.d", "s.m")
            # 3. ESMS level.
            rows_sql, rows_params = unpivot(BASE_TABLE, "r.esms_id", esms_level=True)
            cursor.execute(
                f"""
                INSERT INTO {t["vi"]} ({VALEUR_COLUMNS})
                SELECT s.indicateur_id, %s, 'esms', s.esms_id, NULL, NULL, NULL, s.n, s.d,
                       {valeur}, i.cible, {atteinte}, s.premiere, {_flag("s.m")}, %s
                FROM ({rows_sql}) s
                JOIN {t["ind"]} i ON i.id = s.indicateur_id
                """,
                [mois_sql, now_sql, *rows_params],
            )
            total += max(cursor.rowcount, 0)

            # 4. OG level, per (OG, grappe), from b grouped once (the WITH comes after
            # INSERT so that sqlite3 still reports the rowcount): an ESMS with a missing
            # numerator or denominator is left out of both sums.
            # An aggregate holding one upper bound is one itself.
            og_sums = ", ".join(
                f"SUM(CASE WHEN b.n_{k} IS NOT NULL AND b.d_{k} IS NOT NULL THEN b.n_{k} END) "
                f"AS n_{k}, "
                f"SUM(CASE WHEN b.n_{k} IS NOT NULL AND b.d_{k} IS NOT NULL THEN b.d_{k} END) "
                f"AS d_{k}"
                + (
                    f", MAX(CASE WHEN b.n_{k} IS NOT NULL AND b.d_{k} IS NOT NULL THEN b.m_{k} "
                    f"ELSE 0 END) AS m_{k}"
                    if _bounded(i)
                    else ""
                )
                for k, i in ((int(i.pk), i) for i in usable)
            )
            rows_sql, rows_params = unpivot("o", "r.og_id, r.grappe_id")
            cursor.execute(
                f"""
                INSERT INTO {t["vi"]} ({VALEUR_COLUMNS})
                WITH o AS (
                    SELECT b.og_id, b.grappe_id, b.premiere, {og_sums}
                    FROM {BASE_TABLE} b GROUP BY b.og_id, b.grappe_id, b.premiere
                )
                SELECT s.indicateur_id, %s, 'og', NULL, s.og_id, s.grappe_id, NULL, s.n, s.d,
                       {valeur}, i.cible, {atteinte}, s.premiere, {_flag("s.m")}, %s
                FROM ({rows_sql}) s
                JOIN {t["ind"]} i ON i.id = s.indicateur_id
                """,
                [mois_sql, now_sql, *rows_params],
            )
            total += max(cursor.rowcount, 0)
            # 5. Grappe level (assessed grappes only), from b grouped by grappe: the same
            # pairwise sums as the OG rows, so it equals Σ of its OG rows, without reading
            # them back from the values table.
            rows_sql, rows_params = unpivot("o", "r.grappe_id")
            cursor.execute(
                f"""
                INSERT INTO {t["vi"]} ({VALEUR_COLUMNS})
                WITH o AS (
                    SELECT b.grappe_id, b.premiere, {og_sums}
                    FROM {BASE_TABLE} b WHERE b.grappe_id IN {_ids(assessed_ids)}
                    GROUP BY b.grappe_id, b.premiere
                )
                SELECT s.indicateur_id, %s, 'grappe', NULL, NULL, s.grappe_id, NULL, s.n, s.d,
                       {valeur}, i.cible, {atteinte}, s.premiere, {_flag("s.m")}, %s
                FROM ({rows_sql}) s
                JOIN {t["ind"]} i ON i.id = s.indicateur_id
                """,
                [mois_sql, now_sql, *rows_params],
            )
            total += max(cursor.rowcount, 0)
            cursor.execute(f"DROP TABLE {BASE_TABLE}")

    # 6. Region level, from the grappe values of the regions in scope.
    total += _insert_region(t, mois_sql, now_sql, scope_region)
    return total


def _excluded(indicateur):
    """The ids of the ESMS categories the indicator does not apply to (prefetched)."""
    return [categorie.pk for categorie in indicateur.categories_exclues.all()]


def _bounded(indicateur):
    """Whether the indicator's first measure may be an upper bound (numerateur_periode)."""
    return indicateur.cumul_premiere_mesure and indicateur.numerateur_periode in PERIOD_FIELDS


def _m(indicateur, alias):
    """The upper-bound flag of indicator k on a row of the scratch table or its sums: a column
    only for the indicators that may have one (fewer columns, ~220 000 rows a month)."""
    return f"{alias}.m_{int(indicateur.pk)}" if _bounded(indicateur) else "0"


def _pick(indicateur):
    """The columns of indicator k in the scratch table: numerator n_k, denominator d_k and, for
    an indicator that may have one, m_k, 1 when n_k is an upper bound. A first measure sums a
    flow's three months (cum_); where the indicator counts persons over the period
    (numerateur_periode), it reads the period's count, and the sum, where that count was not
    sent, is an upper bound."""
    k = int(indicateur.pk)
    n, m = f"x.cur_{indicateur.numerateur}", None
    if indicateur.cumul_premiere_mesure:
        cumul = f"x.cum_{indicateur.numerateur}"
        if _bounded(indicateur):
            periode = f"x.cur_{indicateur.numerateur_periode}"
            m = (
                f"CASE WHEN x.premiere AND {periode} IS NULL AND {cumul} IS NOT NULL "
                "THEN 1 ELSE 0 END"
            )
            cumul = f"COALESCE({periode}, {cumul})"
        n = f"CASE WHEN x.premiere THEN {cumul} ELSE {n} END"
    d = f"x.cur_{indicateur.denominateur}"
    excluded = _excluded(indicateur)
    if excluded:
        # Out of both sums of the aggregates, as a missing figure is, but written nowhere.
        outside = f"x.categorie_id IN {_ids(excluded)}"
        n, d = (f"CASE WHEN {outside} THEN NULL ELSE {e} END" for e in (n, d))
    return f"{n} AS n_{k}, {d} AS d_{k}" + (f", {m} AS m_{k}" if m else "")


def _quote(value):
    """A date literal for SQL built by us (ISO date string from adapt_datefield_value)."""
    text = str(value)
    if not all(char.isdigit() or char == "-" for char in text):
        raise ValueError(text)
    return f"'{text}'"


def _insert_region(t, mois_sql, now_sql, region_id):
    valeur, atteinte = _rate_sql("s.n", "s.d", "s.m")
    both = "v.numerateur IS NOT NULL AND v.denominateur IS NOT NULL"
    region_filter = f"AND g.region_id = {int(region_id)}" if region_id is not None else ""
    sql = f"""
        INSERT INTO {t["vi"]} ({VALEUR_COLUMNS})
        SELECT s.indicateur_id, %s, 'region', NULL, NULL, NULL, s.region_id, s.n, s.d,
               {valeur}, i.cible, {atteinte}, FALSE, {_flag("s.m")}, %s
        FROM (
            SELECT v.indicateur_id, g.region_id,
                   SUM(CASE WHEN {both} THEN v.numerateur END) AS n,
                   SUM(CASE WHEN {both} THEN v.denominateur END) AS d,
                   MAX(CASE WHEN {both} AND v.majorant THEN 1 ELSE 0 END) AS m
            FROM {t["vi"]} v JOIN {t["grappe"]} g ON g.id = v.grappe_id
            WHERE v.niveau = 'grappe' AND v.mois = %s {region_filter}
            GROUP BY v.indicateur_id, g.region_id
        ) s
        JOIN {t["ind"]} i ON i.id = s.indicateur_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [mois_sql, now_sql, mois_sql])
        return max(cursor.rowcount, 0)


# ---------------------------------------------------------------------------------------------
# Tranches
# ---------------------------------------------------------------------------------------------


def ensure_tranches(grappes=None):
    """Create the missing tranches of grappes with a convention amount: the AAP's AapTranche
    percentages (50/50 by default) × convention_amount. Never changes existing tranches' amounts;
    the signature tranche of a signed convention falls due (signature_tranches_due)."""
    scope = grappes
    grappes = (grappes if grappes is not None else Grappe.objects.all()).filter(
        convention_amount__isnull=False
    )
    grappes = list(
        grappes.exclude(Exists(Tranche.objects.filter(grappe=OuterRef("pk")))).only(
            "pk", "aap_id", "convention_amount"
        )
    )
    if not grappes:
        signature_tranches_due(scope)
        return 0
    by_aap = {}
    for row in AapTranche.objects.filter(aap_id__in={g.aap_id for g in grappes if g.aap_id}):
        by_aap.setdefault(row.aap_id, []).append((row.numero, row.pourcentage))
    tranches = []
    for grappe in grappes:
        split = sorted(by_aap.get(grappe.aap_id) or DEFAULT_TRANCHES)
        for (numero, pourcentage), montant in zip(
            split, split_amount(grappe.convention_amount, [p for _, p in split]), strict=True
        ):
            tranches.append(
                Tranche(grappe=grappe, numero=numero, pourcentage=pourcentage, montant=montant)
            )
    Tranche.objects.bulk_create(tranches, ignore_conflicts=True, batch_size=2000)
    signature_tranches_due(scope)
    return len(tranches)


def signature_numeros(aap_ids):
    """{AAP id: the numbers of its tranches paid at the convention's signature}; a grappe
    without a call, or a call without its own split, has tranche 1 (DEFAULT_TRANCHES)."""
    numeros = {aap_id: {DEFAULT_TRANCHES[0][0]} for aap_id in aap_ids}
    rows = AapTranche.objects.filter(aap_id__in=aap_ids).values_list(
        "aap_id", "numero", "evenement"
    )
    for aap_id in {aap_id for aap_id, _, _ in rows}:
        numeros[aap_id] = set()
    for aap_id, numero, evenement in rows:
        if evenement == EvenementTranche.SIGNATURE:
            numeros[aap_id].add(numero)
    return numeros


def signature_tranches_due(grappes=None):
    """The signature tranche (seed 000 §2.3: 50 % at the signature of the ARS convention) falls
    due once the convention is signed: prevue → due, dated the signature day, once (the
    conditional UPDATE), the grappe's history and the region's ARS agents told. Returns the
    tranches made due."""
    tranches = Tranche.objects.filter(
        statut=StatutTranche.PREVUE, grappe__convention_signed_on__isnull=False
    ).select_related("grappe")
    if grappes is not None:
        tranches = tranches.filter(grappe__in=grappes)
    tranches = list(tranches)
    numeros = signature_numeros({t.grappe.aap_id for t in tranches})
    due = []
    for tranche in tranches:
        signed_on = tranche.grappe.convention_signed_on
        if tranche.numero not in numeros[tranche.grappe.aap_id]:
            continue
        moment = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time()))
        updated = Tranche.objects.filter(pk=tranche.pk, statut=StatutTranche.PREVUE).update(
            statut=StatutTranche.DUE,
            due_le=moment,
            declenchement={"signature": signed_on.isoformat()},
        )
        if not updated:
            continue
        HistoryEntry.record(
            tranche.grappe,
            None,
            f"Tranche {tranche.numero} due : convention ARS signée",
            f"Tranche {tranche.numero}",
            {"Signée le": f"{signed_on:%d/%m/%Y}", "Montant": euros(tranche.montant)},
        )
        notify_after_commit(tranche.pk)
        due.append(tranche)
    return due


def split_amount(amount, percentages):
    """The amount shared by percentages, to the cent, adding up to the amount
    (core.money.allocate). Percentages that do not add up to 100 are a wrong schedule: each
    share is then its own percentage of the amount, and the gap shows."""
    if sum(percentages) == 100:
        return allocate(amount, percentages)
    return [(amount * p / 100).quantize(CENT, rounding=ROUND_HALF_UP) for p in percentages]


def tranche_cibles_numero(grappe):
    """The tranche paid when targets are met: the AAP's 'cibles' tranche, else number 2."""
    if grappe.aap_id:
        numero = (
            AapTranche.objects.filter(aap_id=grappe.aap_id, evenement=EvenementTranche.CIBLES)
            .values_list("numero", flat=True)
            .first()
        )
        if numero:
            return numero
    return TRANCHE_CIBLES


def _figures(rows):
    """The figures frozen when a tranche becomes due; valeur is the figure the pages show
    (Taux.arrondi, as a decimal string: "94.9"), for the tranche page, e-mail and history."""
    indicateurs = []
    for row in rows:
        taux = Taux.de(row, row.indicateur)
        valeur = taux.arrondi()
        indicateurs.append(
            {
                "code": row.indicateur.code,
                "libelle": row.indicateur.libelle,
                "numerateur": row.numerateur,
                "denominateur": row.denominateur,
                "valeur": None if valeur is None else str(valeur),
                "cible": str(row.cible),
                "atteinte": taux.atteinte,
            }
        )
    return {
        "indicateurs": indicateurs,
        "premiere_mesure": any(row.premiere_mesure for row in rows),
    }


def figure_texte(item):
    """« 94,9 % (cible 90 %) »: one indicator of the frozen figures of a tranche."""
    return f"{pourcent(item['valeur'])} (cible {fr_cible(item['cible'])} %)"


def couvertures(mois, grappe_ids):
    """{grappe_id: coverage of the month}: the grappe's ESMS (memberships held that month,
    EsmsMembership.held_in), those reporting (a usable numerator and denominator for each
    indicator that applies to them, at ESMS level), the persons they accompany, the missing
    ESMS (ids) and the rule (couverture_min of the call, 100 % without a call). An ESMS that no
    indicator of its grappe applies to (its category excluded from all) is not counted. A
    handful of queries whatever the number of grappes or ESMS."""
    grappe_ids = list(grappe_ids)
    if not grappe_ids:
        return {}
    held_rows = EsmsMembership.objects.held_in(mois).filter(grappe_id__in=grappe_ids)
    held = list(held_rows.values_list("grappe_id", "esms_id", "esms__categorie_id"))
    # A subquery, not the ids: at national scale (35 000 ESMS) a list would pass SQLite's limit
    # of bound parameters.
    esms_ids = held_rows.values("esms_id")
    rows = {
        row["esms_id"]: (row["n"], row["incomplete"])
        for row in ValeurIndicateur.objects.filter(
            mois=mois, niveau=Niveau.ESMS, esms_id__in=esms_ids
        )
        .values("esms_id")
        .annotate(
            n=Count("id"),
            incomplete=Count(
                "id", filter=Q(numerateur__isnull=True) | Q(denominateur__isnull=True)
            ),
        )
    }
    personnes = dict(
        UsageMensuel.objects.filter(mois=mois, esms_id__in=esms_ids).values_list(
            "esms_id", "personnes_accompagnees"
        )
    )
    grappes = {
        grappe.pk: grappe
        for grappe in Grappe.objects.filter(pk__in=grappe_ids).select_related("aap")
    }
    indicateurs = list(
        Indicateur.objects.filter(actif=True).prefetch_related("aaps", "categories_exclues")
    )
    # Per grappe, the excluded categories of each indicator that applies to it.
    exclusions = {
        pk: [
            {categorie.pk for categorie in indicateur.categories_exclues.all()}
            for indicateur in applicable_indicateurs(grappe, indicateurs)
        ]
        for pk, grappe in grappes.items()
    }
    result = {
        pk: {
            "esms": 0,
            "declarants": 0,
            "personnes": 0,
            "manquants": [],
            "minimum": (grappe.aap.couverture_min if grappe.aap else None) or 100,
        }
        for pk, grappe in grappes.items()
    }
    for grappe_id, esms_id, categorie_id in held:
        expected = sum(1 for excluded in exclusions[grappe_id] if categorie_id not in excluded)
        if not expected:
            continue  # nothing is measured for this ESMS
        item = result[grappe_id]
        item["esms"] += 1
        n, incomplete = rows.get(esms_id, (0, 0))
        if n >= expected and not incomplete:
            item["declarants"] += 1
            item["personnes"] += personnes.get(esms_id) or 0
        else:
            item["manquants"].append(esms_id)
    for item in result.values():
        # Integer comparison: declarants / esms ≥ minimum % ⇔ declarants × 100 ≥ minimum × esms.
        item["evaluable"] = item["esms"] > 0 and (
            item["declarants"] * 100 >= item["minimum"] * item["esms"]
        )
    return result


def couverture_figures(item):
    """The coverage as frozen in a tranche's declenchement (JSON: no ids of missing ESMS)."""
    return {
        "esms": item["esms"],
        "declarants": item["declarants"],
        "personnes": item["personnes"],
        "minimum": item["minimum"],
    }


def _entier(value):
    """« 1 234 »: an integer with the French thousands separator (narrow no-break space)."""
    return f"{int(value):,}".replace(",", "\u202f")


def couverture_texte(item):
    """« 15 ESMS déclarants sur 16 (couverture minimale : 90 %), 1 234 personnes accompagnées
    couvertes »: a month's coverage (couvertures / couverture_figures); "" without one."""
    if not item:
        return ""
    personnes = item.get("personnes") or 0
    return (
        f"{plural(item['declarants'], 'ESMS déclarant', 'ESMS déclarants')} sur {item['esms']} "
        f"(couverture minimale : {item['minimum']} %), {_entier(personnes)} "
        f"{agree(personnes, 'personne accompagnée couverte', 'personnes accompagnées couvertes')}"
    )


def update_tranches(mois, grappe=None):
    """After a computation: make the targets tranche due for grappes whose applicable targets
    are all met this month (once), flag for review those whose triggering month no longer
    meets them. Returns (newly due grappe ids, flagged grappe ids).

    A grappe's month is assessed on the grappe's ESMS: when fewer of its ESMS than the call's
    couverture_min (100 % by default) reported every figure, the month is « non évaluable »: its
    grappe values stay (the rates of the ESMS that reported, for follow-up) but the month meets
    no target and makes no tranche due. The targets tranche never falls due
    before the financing convention is signed (Grappe.convention_signed_on)."""
    rows = ValeurIndicateur.objects.filter(mois=mois, niveau=Niveau.GRAPPE)
    if grappe is not None:
        rows = rows.filter(grappe=grappe)
    summary = list(
        rows.values("grappe_id").annotate(
            total=Count("id"), met=Count("id", filter=Q(atteinte=True))
        )
    )
    coverage = couvertures(mois, [row["grappe_id"] for row in summary])
    non_evaluable = {pk for pk, item in coverage.items() if not item["evaluable"]}
    met_ids = [
        row["grappe_id"]
        for row in summary
        if row["total"] and row["met"] == row["total"] and row["grappe_id"] not in non_evaluable
    ]
    not_met_ids = [
        row["grappe_id"]
        for row in summary
        if row["met"] != row["total"] or row["grappe_id"] in non_evaluable
    ]

    newly_due = []
    candidates = list(
        Tranche.objects.filter(
            grappe_id__in=met_ids,
            statut=StatutTranche.PREVUE,
            numero__gte=2,
            grappe__convention_signed_on__isnull=False,
            grappe__convention_signed_on__lte=timezone.localdate(),
        ).select_related("grappe", "grappe__aap")
    )
    if candidates:
        figures_rows = {}
        for row in rows.filter(grappe_id__in={c.grappe_id for c in candidates}).select_related(
            "indicateur"
        ):
            figures_rows.setdefault(row.grappe_id, []).append(row)
        for tranche in candidates:
            if tranche.numero != tranche_cibles_numero(tranche.grappe):
                continue
            figures = _figures(figures_rows.get(tranche.grappe_id, []))
            figures["couverture"] = couverture_figures(coverage[tranche.grappe_id])
            if trigger_tranche(tranche, mois, figures):
                newly_due.append(tranche.grappe_id)

    flagged = []
    if not_met_ids:
        motif = (
            f"Données corrigées : au calcul du {timezone.localdate():%d/%m/%Y}, les cibles de "
            f"{mois:%m/%Y} (mois de déclenchement) ne sont plus toutes atteintes ou des "
            "données d'ESMS manquent désormais (mois non évaluable). La tranche "
            "reste due ; vérifiez les données avec la grappe."
        )
        to_review = Tranche.objects.filter(
            grappe_id__in=not_met_ids,
            mois_declenchement=mois,
            statut__in=[StatutTranche.DUE, StatutTranche.PARTIELLE, StatutTranche.PAYEE],
            revue_motif="",
        ).select_related("grappe")
        for tranche in to_review:
            statut = (
                StatutTranche.A_REVOIR if tranche.statut == StatutTranche.DUE else tranche.statut
            )
            updated = Tranche.objects.filter(pk=tranche.pk, statut=tranche.statut).update(
                statut=statut, revue_motif=motif
            )
            if updated:
                flagged.append(tranche.grappe_id)
                HistoryEntry.record(
                    tranche.grappe,
                    None,
                    "Tranche à revoir : cibles plus atteintes après correction des données",
                    tranche,
                    {"Mois": f"{mois:%m/%Y}", "Motif": motif},
                )
    return newly_due, flagged


def trigger_tranche(tranche, mois, figures):
    """prevue → due, once: the conditional UPDATE lets exactly one concurrent run win."""
    now = timezone.now()
    updated = Tranche.objects.filter(pk=tranche.pk, statut=StatutTranche.PREVUE).update(
        statut=StatutTranche.DUE, mois_declenchement=mois, declenchement=figures, due_le=now
    )
    if not updated:
        return False
    grappe = tranche.grappe
    HistoryEntry.record(
        grappe,
        None,
        f"Tranche {tranche.numero} due : cibles d'usage atteintes",
        f"Tranche {tranche.numero}",
        {
            "Mois": f"{mois:%m/%Y}",
            **(
                {"Couverture": couverture_texte(figures["couverture"])}
                if figures.get("couverture")
                else {}
            ),
            **{item["libelle"]: figure_texte(item) for item in figures["indicateurs"]},
        },
    )
    notify_after_commit(tranche.pk)
    return True


def notify_after_commit(tranche_id):
    """Tell the region's ARS agents that a tranche fell due, once its change commits, by the
    task indicateurs.tasks.notify_tranche_due on the `mails` queue: retried while the relay
    refuses, each failure logged. The mail is not part of the change: the tranche is due and the
    computation finished whatever the relay says (tranche.ars_prevenue_le tells when it went)."""
    # Imported here: tasks → jobs → this module.
    from indicateurs.tasks import notify_tranche_due as task  # noqa: PLC0415 (cycle, see above)

    # robust: a broker out of reach (or, without one, the last failed attempt run eagerly) is
    # logged and the change stays committed.
    transaction.on_commit(lambda: task.delay(tranche_id), robust=True)


def retell_untold_tranches(grappe=None):
    """Tell again the ARS of the tranches due for a day or more and still untold (RETELL_AFTER);
    run by each computation before it makes tranches due. Returns their number."""
    untold = Tranche.objects.filter(
        statut__in=[StatutTranche.DUE, StatutTranche.A_REVOIR],
        ars_prevenue_le__isnull=True,
        due_le__lte=timezone.now() - RETELL_AFTER,
    )
    if grappe is not None:
        untold = untold.filter(grappe=grappe)
    ids = list(untold.values_list("pk", flat=True))
    for tranche_id in ids:
        notify_after_commit(tranche_id)
    return len(ids)


@transaction.atomic
def notify_tranche_due(tranche_id):
    """Send the « tranche due » e-mail to the region's ARS agents once: the tranche's row is held
    while sending, so a task delivered again, or told again (retell_untold_tranches) while the
    first was still retrying, finds it told (ars_prevenue_le) and sends nothing, as it does a
    tranche deleted since. Returns the number sent."""
    tranche = (
        Tranche.objects.select_for_update(of=("self",))
        .select_related("grappe__region")
        .filter(pk=tranche_id)
        .first()
    )
    if tranche is None or tranche.ars_prevenue_le is not None:
        return 0
    recipients = User.objects.filter(ars_regions__region_id=tranche.grappe.region_id).distinct()
    sent = send_templated_mail(
        recipients,
        f"[Grappe] Tranche {tranche.numero} due — {tranche.grappe.name}",
        "emails/tranche_due.txt",
        {
            "tranche": tranche,
            "grappe": tranche.grappe,
            "url": absolute_url(reverse("indicateurs:tranches", args=[tranche.grappe_id])),
        },
    )
    if sent:
        Tranche.objects.filter(pk=tranche.pk).update(ars_prevenue_le=timezone.now())
    return sent


# ---------------------------------------------------------------------------------------------
# Reading values (API, pages)
# ---------------------------------------------------------------------------------------------


def grappe_indicateurs(grappe, mois):
    """The grappe-level figures of a month, as the API returns them."""
    rows = {
        row.indicateur_id: row
        for row in ValeurIndicateur.objects.filter(
            grappe=grappe, mois=mois, niveau=Niveau.GRAPPE
        ).select_related("indicateur")
    }
    indicateurs = []
    for indicateur in applicable_indicateurs(grappe):
        row = rows.get(indicateur.pk)
        taux = Taux.de(row, indicateur)
        valeur = taux.arrondi() if taux else None
        indicateurs.append(
            {
                "code": indicateur.code,
                "libelle": indicateur.libelle,
                "numerateur": row.numerateur if row else None,
                "denominateur": row.denominateur if row else None,
                # The figure the pages show: rounded once from the fraction (Taux).
                "valeur": None if valeur is None else float(valeur),
                "cible": float(row.cible if row else indicateur.cible),
                "atteinte": taux.atteinte if taux else None,
                "majorant": bool(taux and taux.majorant),
            }
        )
    # The coverage of an assessed month: a month where too few of the grappe's ESMS reported
    # is not assessed (non évaluable) and meets no target.
    couverture = None
    if rows:
        item = couvertures(mois, [grappe.pk])[grappe.pk]
        couverture = {**couverture_figures(item), "evaluable": item["evaluable"]}
    atteintes = (
        bool(indicateurs)
        and all(item["atteinte"] is True for item in indicateurs)
        and bool(couverture and couverture["evaluable"])
    )
    return {
        "grappe": grappe.pk,
        "mois": f"{mois:%Y-%m}",
        "premiere_mesure": any(row.premiere_mesure for row in rows.values()),
        "indicateurs": indicateurs,
        "couverture": couverture,
        "cibles_atteintes": atteintes,
        "tranches": [
            {
                "numero": tranche.numero,
                "pourcentage": float(tranche.pourcentage),
                "montant": tranche.montant,
                "statut": tranche.statut,
                "mois_declenchement": (
                    f"{tranche.mois_declenchement:%Y-%m}" if tranche.mois_declenchement else None
                ),
            }
            for tranche in grappe.tranches.order_by("numero")
        ],
    }
