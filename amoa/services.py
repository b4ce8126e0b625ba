"""From the models to the scoring engine (amoa/scoring.py) and back, in a fixed number of
queries whatever the number of offers, evaluators and scores; and the rules that keep the
committee's scoring honest, shared by the AMOA and the éditeur (DUI) consultations:

- a grid counts in the ranking once submitted, and it is submitted only complete: every offer
  received in time and complete (recevable) × every qualitative criterion, scored and
  justified (offers in conflict of interest left out);
- a submitted grid is locked; only the comité de sélection's president or the national admin
  reopens it (amoa.perms.can_reopen_grid), traced;
- a grid post writes only the cells it explicitly carries: an empty or partial post erases
  nothing;
- recording the choice freezes the ranking (Choix.classement_fige): from then on nobody scores,
  declares a conflict, sets a consensus or an indispensable finding, or changes the criteria,
  and every page, file and letter shows the frozen ranking and a decision sentence written
  from it; a change needs the consultation reopened (the decision cleared, traced).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from amoa import couverture, tco
from amoa.enums import COUTS_CACHES, StatutConsultation, TypeCritere
from amoa.models import (
    COUVERTURE_INDISPENSABLES_CODE,
    Choix,
    Consensus,
    Consultation,
    Critere,
    DeclarationConflit,
    Evaluation,
    Exigence,
    GrilleFonctionnelle,
    LignePrix,
    Note,
    Offre,
    ReponseExigence,
)
from core import scoring
from core.text import plural, time_fr
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
    choix: "Choix | None" = None  # the recorded choice: the ranking is then the frozen one
    fige: dict | None = None  # Choix.classement_fige

    def result(self, offre):
        return self.ranking.for_offer(offre.pk)

    def decision(self):
        """The decision as the frozen ranking tells it (None before the choice)."""
        if self.choix is None or not self.fige:
            return None
        return Decision.from_snapshot(self.choix, self.ranking, self.fige)

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
            offre = by_id.get(result.offer.id)
            if offre is None:  # removed since the ranking was frozen (admin only)
                continue
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
            reason = (
                plural(
                    len(missing),
                    "exigence indispensable non couverte",
                    "exigences indispensables non couvertes",
                )
                + " : "
                + "; ".join(missing)
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


def analyse(consultation, live=False):
    """The consultation's analysis; once the choice is recorded, with the frozen ranking (the
    live one only when `live`, to take the snapshot)."""
    result = _live_analyse(consultation)
    if live:
        return result
    choix = Choix.objects.filter(consultation=consultation).select_related("offre__candidat")
    choix = choix.first()
    if choix is None:
        return result
    if not choix.classement_fige:
        # A choice recorded before rankings were frozen: frozen now, once, as it stands.
        choix.classement_fige = snapshot(result, None)
        choix.save(update_fields=["classement_fige"])
    return _frozen(result, choix)


def _live_analyse(consultation):
    criteres = list(consultation.criteres.all())
    offres = list(
        Offre.objects.filter(consultation=consultation)
        .with_details()
        .prefetch_related("indispensables__critere")
    )
    for offre in offres:
        offre.consultation = consultation
    # Only submitted (hence complete and locked) grids count: a draft moves nothing.
    notes = list(
        Note.objects.filter(
            evaluation__consultation=consultation, evaluation__soumise_le__isnull=False
        )
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


def moment(value):
    """A date and time as the history writes it: « 14/03/2026 à 14 h 00 », local time."""
    local = timezone.localtime(value)
    return f"{local:%d/%m/%Y} à {time_fr(local)}"


def record_history(grappe, user, action, target="", changes=None):
    """The grappe's history, for the AMOA call: confidential (offers, prices, scores, choice),
    so hidden from the grappe's AMOA consultants, who may be candidates."""
    return HistoryEntry.record(grappe, user, action, target, changes, confidentiel=True)


# =============================================================================================
# The scoring's rules (module docstring). One copy for both kinds of consultation.


class ScoringClosed(PermissionDenied):
    """A write the scoring's state refuses; the 403 page shows the French reason."""


def person(user):
    return (user.get_full_name() or user.email) if user else ""


def _fr(value):
    return f"{scoring.quantize(value):.2f}".replace(".", ",")


def _lock(consultation):
    """Serialise the writes that read the scoring's state (grid, choice, reopening): a grid
    cannot slip in while the choice is being recorded."""
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()


def choix_of(consultation):
    return Choix.objects.filter(consultation=consultation).first()


def closed_reason(consultation):
    """Why nothing about the scoring may change any more (None while it is open)."""
    choix = choix_of(consultation)
    if choix is None:
        return None
    return (
        f"Le choix du comité de sélection est enregistré (décision du "
        f"{date_format(choix.date, 'j F Y')}) : le classement est figé et la notation est "
        "close. Pour modifier les notes, le chef de projet doit d'abord rouvrir la consultation."
    )


def ensure_open(consultation):
    reason = closed_reason(consultation)
    if reason:
        raise ScoringClosed(reason)


def grid_refusal(consultation, grid):
    """Why this grid may not be changed (None when it may)."""
    reason = closed_reason(consultation)
    if reason or not grid.soumise:
        return reason
    when = date_format(timezone.localtime(grid.soumise_le), "j F Y à H\\hi")
    return (
        f"Votre évaluation a été soumise le {when} : elle est verrouillée et ne peut plus être "
        "modifiée. Seul le président ou la présidente du comité de sélection, ou "
        "l'administrateur national, peut la rouvrir."
    )


def required_offres(offres):
    """The offers a grid must score: received in time and complete (public facts). Offers
    eliminated on an indispensable criterion are required too, on purpose: leaving them out
    would tell an evaluator who has not submitted which offers the committee eliminated."""
    return [offre for offre in offres if not offre.hors_delai and offre.recevable]


def submission_errors(offres, criteres, values):
    """French errors preventing a submission, [] when the grid is complete. `offres`: those of
    the grid (conflicts left out); `values`: {(offre pk, critere pk): (note, justification)}."""
    required = required_offres(offres)
    if not required or not criteres:
        return ["Il n'y a aucune offre à noter : rien à soumettre."]
    missing = []
    for offre in required:
        for critere in criteres:
            note, text = values.get((offre.pk, critere.pk), (None, ""))
            lacking = [
                label
                for label, absent in (("note", note is None), ("justification", not text.strip()))
                if absent
            ]
            if lacking:
                missing.append(
                    f"{offre.candidat.societe} — {critere.libelle} : {' et '.join(lacking)}"
                )
    if not missing:
        return []
    return [
        "Votre évaluation n'est pas soumise : chaque offre reçue dans les délais et complète doit "
        "être notée sur chaque critère, avec une justification. Il manque :",
        *missing,
    ]


@transaction.atomic
def save_grid(consultation, evaluateur, changes, submit=False):
    """Write the cells the post explicitly changed [(offre, critere, note or None, text)] (None:
    the note was explicitly cleared) and submit the grid when asked. Checked again under the
    consultation's lock: refused once the grid is submitted or the ranking frozen."""
    _lock(consultation)
    grid = Evaluation.objects.filter(consultation=consultation, evaluateur=evaluateur).first()
    refusal = grid_refusal(consultation, grid or Evaluation())
    if refusal:
        raise ScoringClosed(refusal)
    grid = grid or Evaluation.objects.create(consultation=consultation, evaluateur=evaluateur)
    for offre, critere, note, text in changes:
        cell = {"evaluation": grid, "offre": offre, "critere": critere}
        if note is None:
            Note.objects.filter(**cell).delete()
        else:
            Note.objects.update_or_create(**cell, defaults={"valeur": note, "justification": text})
    if submit:
        grid.soumise_le = timezone.now()
        grid.save(update_fields=["soumise_le"])
    return grid


@transaction.atomic
def reopen_grid(grid, user, motif):
    """Unlock a submitted grid (the president's or the admin's act, amoa.perms.can_reopen_grid):
    its notes leave the ranking until it is submitted again. False if it was not submitted."""
    consultation = grid.consultation
    _lock(consultation)
    ensure_open(consultation)
    grid.refresh_from_db()
    if not grid.soumise:
        return False
    submitted = grid.soumise_le
    grid.soumise_le = None
    grid.save(update_fields=["soumise_le"])
    record_history(
        consultation.grappe,
        user,
        "Évaluation rouverte",
        consultation,
        {
            "Évaluateur": person(grid.evaluateur),
            "Soumise le": moment(submitted),
            "Motif": motif,
        },
    )
    return True


# --- The choice and its frozen ranking -------------------------------------------------------


def snapshot(result, user, when=None):
    """The frozen ranking (Choix.classement_fige) from a live analysis."""
    criteres = {c.pk: c for c in result.criteres}
    submitted = (
        Evaluation.objects.filter(consultation=result.consultation, soumise_le__isnull=False)
        .select_related("evaluateur")
        .order_by("evaluateur__last_name", "pk")
    )
    return {
        "version": 1,
        "fige_le": (when or timezone.now()).isoformat(),
        "par": {"id": user.pk, "nom": person(user)} if user else None,
        "classement": scoring.ranking_to_data(result.ranking),
        "criteres": [
            {
                "id": c.pk,
                "code": c.code,
                "libelle": c.libelle,
                "kind": c.kind,
                "poids": c.poids,
                "echelle": c.echelle,
                "descripteurs": c.descripteurs,
                "ordre": c.ordre,
            }
            for c in result.criteres
        ],
        "consensus": [
            {
                "offre": offre_id,
                "critere": criteres[critere_id].code,
                "valeur": str(c.valeur),
                "motif": c.motif,
                "par": person(c.par),
                "le": c.le.isoformat(),
            }
            for (offre_id, critere_id), c in result.consensus.items()
            if critere_id in criteres
        ],
        "evaluateurs": [
            {
                "id": e.evaluateur_id,
                "nom": person(e.evaluateur),
                "soumise_le": e.soumise_le.isoformat(),
            }
            for e in submitted
        ],
    }


def _frozen(result, choix):
    """The analysis shown after the choice: the frozen ranking and criteria, the notes of the
    evaluators it counted."""
    fige = choix.classement_fige
    counted = {e["id"] for e in fige["evaluateurs"]}
    choix.consultation = result.consultation
    result.ranking = scoring.ranking_from_data(fige["classement"])
    result.criteres = [
        Critere(
            id=c["id"],
            consultation=result.consultation,
            **{
                k: c[k]
                for k in ("code", "libelle", "kind", "poids", "echelle", "descripteurs", "ordre")
            },
        )
        for c in fige["criteres"]
    ]
    result.notes = [n for n in result.notes if n.evaluation.evaluateur_id in counted]
    result.choix, result.fige = choix, fige
    return result


def ranking_summary(ranking):
    """« 1. Cap Médico-Social Conseil (86,75) ; 2. … » for the history."""
    return " ; ".join(f"{r.rank}. {r.offer.label} ({_fr(r.total)})" for r in ranking.ranked)


def _ordinal(result):
    rank = "1re" if result.rank == 1 else f"{result.rank}e"
    return rank + (" ex æquo" if result.tied else "")


@dataclass
class Decision:
    """The committee's decision as the frozen ranking tells it: the sentence printed never
    contradicts the ranking printed next to it."""

    choix: object
    retenue: object  # scoring.OfferResult of the chosen offer (None if absent)
    premieres: list  # scoring.OfferResult ranked first
    nb_classees: int
    fige_le: datetime.datetime
    fige_par: str
    evaluateurs: list  # names of the evaluators counted

    @classmethod
    def from_snapshot(cls, choix, ranking, fige):
        retenue = next((r for r in ranking.results if r.offer.id == choix.offre_id), None)
        return cls(
            choix=choix,
            retenue=retenue,
            premieres=ranking.winners,
            nb_classees=len(ranking.ranked),
            fige_le=datetime.datetime.fromisoformat(fige["fige_le"]),
            fige_par=(fige.get("par") or {}).get("nom", ""),
            evaluateurs=[e["nom"] for e in fige["evaluateurs"]],
        )

    @property
    def phrase(self):
        what = "la solution de" if self.choix.consultation.is_editeur else "l'offre de"
        chosen = self.retenue.offer.label if self.retenue else self.choix.offre.candidat.societe
        lead = (
            f"Le {date_format(self.choix.date, 'j F Y')}, le comité de sélection retient {what} "
            f"{chosen}"
        )
        result = self.retenue
        if result is None or not result.ranked:
            reason = f" ({result.reason.rstrip('.')})" if result and result.reason else ""
            return f"{lead}, qui n'est pas classée{reason}."
        text = (
            f"{lead}, classée {_ordinal(result)} sur "
            f"{plural(self.nb_classees, 'offre classée', 'offres classées')}, "
            f"avec {_fr(result.total)} / 100."
        )
        others = [r for r in self.premieres if r.offer.id != result.offer.id]
        if result.rank != 1 and others:
            names = " et ".join(f"{r.offer.label} ({_fr(r.total)} / 100)" for r in others)
            text += f" En tête du classement : {names}."
        return text


@transaction.atomic
def record_choice(choix, user, when=None):
    """Record the committee's choice and freeze the ranking it was made on."""
    consultation = choix.consultation
    _lock(consultation)
    ensure_open(consultation)
    result = analyse(consultation, live=True)
    choix.par = user
    choix.classement_fige = snapshot(result, user, when)
    choix.save()
    consultation.statut = StatutConsultation.ATTRIBUEE
    consultation.save(update_fields=["statut"])
    record_history(
        consultation.grappe,
        user,
        "Solution DUI choisie" if consultation.is_editeur else "Titulaire AMOA choisi",
        consultation,
        {
            "Offre retenue": choix.offre.candidat.societe,
            "Décision": choix.decision,
            "Classement figé": ranking_summary(result.ranking),
            "Évaluations prises en compte": ", ".join(
                e["nom"] for e in choix.classement_fige["evaluateurs"]
            ),
        },
    )
    return choix


@transaction.atomic
def reopen_consultation(consultation, user, motif):
    """Clear the decision and its frozen ranking (the chef de projet's or the admin's act), so
    that the scoring may change and a new choice be recorded. False if there was no choice."""
    _lock(consultation)
    choix = Choix.objects.filter(consultation=consultation).select_related("offre__candidat")
    choix = choix.first()
    if choix is None:
        return False
    fige = choix.classement_fige
    frozen = ranking_summary(scoring.ranking_from_data(fige["classement"])) if fige else ""
    record_history(
        consultation.grappe,
        user,
        "Consultation rouverte : choix annulé",
        consultation,
        {
            "Offre qui était retenue": choix.offre.candidat.societe,
            "Décision annulée": choix.decision,
            "Classement qui était figé": frozen,
            "Motif de la réouverture": motif,
        },
    )
    choix.delete()
    consultation.statut = StatutConsultation.EVALUATION
    consultation.save(update_fields=["statut"])
    return True
