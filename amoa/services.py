"""From the models to the scoring engine (amoa/scoring.py) and back, in a fixed number of
queries whatever the number of offers, evaluators and scores."""

from dataclasses import dataclass, field

from django.db import transaction

from amoa import couverture, scoring, tco
from amoa.enums import COUTS_CACHES, TypeCritere
from amoa.models import (
    COUVERTURE_INDISPENSABLES_CODE,
    Consensus,
    DeclarationConflit,
    Exigence,
    GrilleFonctionnelle,
    LignePrix,
    Note,
    Offre,
    ReponseExigence,
)
from grappe.models import HistoryEntry


@dataclass
class Analyse:
    """The ranking of a consultation with the models it was computed from."""

    consultation: object
    criteres: list
    offres: list
    ranking: scoring.Ranking
    notes: list  # Note rows with their evaluation and evaluator
    consensus: dict  # (offre id, critere id) → Consensus
    conflits: set  # (user id, offre id)
    dui: "Dui | None" = None  # éditeur consultation: grid, coverage and TCO per offer

    def result(self, offre):
        return self.ranking.for_offer(offre.pk)

    @property
    def evaluateurs(self):
        seen = {}
        for note in self.notes:
            seen.setdefault(note.evaluation.evaluateur_id, note.evaluation.evaluateur)
        return list(seen.values())

    def rows(self):
        """[(offre, OfferResult, [(critere, CriterionResult or None)])] in ranking order."""
        by_id = {offre.pk: offre for offre in self.offres}
        rows = []
        for result in self.ranking.results:
            offre = by_id[result.offer.id]
            cells = [(critere, result.notes.get(critere.code)) for critere in self.criteres]
            rows.append((offre, result, cells))
        return rows


@dataclass
class OffreDui:
    """An éditeur offer's cadre de réponse, read: answers, coverage, TCO."""

    reponses: dict  # exigence id → ReponseExigence
    lignes: list  # LignePrix
    coverage: couverture.Coverage
    per_domain: dict  # top-level DomaineFonctionnel → Coverage
    tco: tco.Tco

    @property
    def answered(self):
        return bool(self.reponses)


@dataclass
class Dui:
    grille: GrilleFonctionnelle | None
    exigences: list
    domaines: list  # top-level domains, in order
    years: int
    offres: dict = field(default_factory=dict)  # offre id → OffreDui

    def for_offre(self, offre):
        return self.offres[offre.pk]


def dui_for(consultation, offres):
    """The grid and, per offer, coverage and TCO — in a fixed number of queries."""
    grille = GrilleFonctionnelle.objects.filter(grappe_id=consultation.grappe_id).first()
    years = consultation.tco_annees
    if grille is None:
        exigences, roots, domaines = [], {}, []
    else:
        exigences = list(Exigence.objects.filter(grille=grille).select_related("domaine"))
        roots = grille.racines()
        domaines = sorted({r.pk: r for r in roots.values()}.values(), key=lambda d: (d.ordre, d.pk))
    requirements = [
        couverture.Requirement(e.pk, roots[e.domaine_id].pk, e.priorite, f"{e.code} {e.libelle}")
        for e in exigences
    ]
    ids = [offre.pk for offre in offres]
    reponses = {}
    for reponse in ReponseExigence.objects.filter(offre_id__in=ids):
        reponses.setdefault(reponse.offre_id, {})[reponse.exigence_id] = reponse
    lignes = {}
    for ligne in LignePrix.objects.filter(offre_id__in=ids):
        lignes.setdefault(ligne.offre_id, []).append(ligne)
    by_pk = {d.pk: d for d in domaines}
    dui = Dui(grille, exigences, domaines, years)
    for offre in offres:
        answers = reponses.get(offre.pk, {})
        overall, per_domain = couverture.compute(
            requirements, {pk: r.couverture for pk, r in answers.items()}
        )
        offre_lignes = lignes.get(offre.pk, [])
        cost = tco.compute(
            [tco.PriceLine(li.nature, li.montant, li.annee, li.libelle) for li in offre_lignes],
            years=years,
            hidden_natures=COUTS_CACHES,
            development_costs=[r.cout for r in answers.values() if r.couverture == "developpable"],
        )
        dui.offres[offre.pk] = OffreDui(
            reponses=answers,
            lignes=offre_lignes,
            coverage=overall,
            per_domain={by_pk[pk]: cov for pk, cov in per_domain.items()},
            tco=cost,
        )
    return dui


def offer_for(offre, criteres=(), dui=None):
    indispensables = {
        resultat.critere.code: scoring.IndispensableResult(resultat.satisfait, resultat.motif)
        for resultat in offre.indispensables.all()
    }
    total_price, computed = offre.prix_total_ht, {}
    if dui is not None:
        # An éditeur offer: the price is the TCO, the coverage criteria are computed from the
        # imported cadre de réponse (never typed by the committee).
        read = dui.for_offre(offre)
        total_price = read.tco.total or None
        missing = read.coverage.missing_indispensables
        reason = ""
        if not read.answered:
            reason = "cadre de réponse non importé"
        elif missing:
            reason = f"{len(missing)} exigence(s) indispensable(s) non couverte(s) : " + "; ".join(
                missing
            )
        indispensables[COUVERTURE_INDISPENSABLES_CODE] = scoring.IndispensableResult(
            not reason, reason
        )
        computed = {
            c.code: read.coverage.note(c.echelle) for c in criteres if c.kind == TypeCritere.CALCULE
        }
    return scoring.Offer(
        id=offre.pk,
        label=offre.candidat.societe,
        total_price=total_price,
        day_rate=offre.prix_jour_ht,
        hors_delai=offre.hors_delai,
        recevable=offre.recevable,
        missing=tuple(offre.pieces_manquantes()),
        indispensables=indispensables,
        computed=computed,
    )


def analyse(consultation):
    criteres = list(consultation.criteres.all())
    offres = list(
        Offre.objects.filter(consultation=consultation)
        .with_details()
        .prefetch_related("indispensables__critere")
    )
    for offre in offres:
        offre.consultation = consultation
    notes = list(
        Note.objects.filter(evaluation__consultation=consultation)
        .select_related("evaluation__evaluateur", "critere")
        .order_by("evaluation__evaluateur__last_name", "evaluation__evaluateur_id", "offre_id")
    )
    conflits = {
        (user_id, offre.pk)
        for user_id, candidat_id in DeclarationConflit.objects.filter(
            consultation=consultation
        ).values_list("evaluateur_id", "candidat_id")
        for offre in offres
        if offre.candidat_id == candidat_id
    }
    consensus = {
        (c.offre_id, c.critere_id): c
        for c in Consensus.objects.filter(offre__consultation=consultation).select_related("par")
    }
    criteres_by_id = {c.pk: c for c in criteres}
    dui = dui_for(consultation, offres) if consultation.is_editeur else None
    ranking = scoring.evaluate(
        [c.as_criterion() for c in criteres],
        [offer_for(offre, criteres, dui) for offre in offres],
        scores=[
            scoring.Score(n.evaluation.evaluateur_id, n.offre_id, n.critere.code, n.valeur)
            for n in notes
        ],
        conflicts=conflits,
        consensus={
            (offre_id, criteres_by_id[critere_id].code): c.valeur
            for (offre_id, critere_id), c in consensus.items()
            if critere_id in criteres_by_id
        },
    )
    return Analyse(consultation, criteres, offres, ranking, notes, consensus, conflits, dui)


@transaction.atomic
def apply_parsed(offre, parsed):
    """Replace the offer's answers and price lines by a parsed cadre de réponse (amoa.cadre),
    all or nothing."""
    ReponseExigence.objects.filter(offre=offre).delete()
    LignePrix.objects.filter(offre=offre).delete()
    ReponseExigence.objects.bulk_create(
        ReponseExigence(offre=offre, **row) for row in parsed.reponses
    )
    LignePrix.objects.bulk_create(LignePrix(offre=offre, **row) for row in parsed.lignes)


def record_history(grappe, user, action, target="", changes=None):
    """The grappe's history, for the AMOA call: confidential (offers, prices, scores, choice),
    so hidden from the grappe's AMOA consultants, who may be candidates."""
    return HistoryEntry.record(grappe, user, action, target, changes, confidentiel=True)
