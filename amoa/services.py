"""From the models to the scoring engine (amoa/scoring.py) and back, in a fixed number of
queries whatever the number of offers, evaluators and scores."""

from dataclasses import dataclass

from amoa import scoring
from amoa.models import Consensus, DeclarationConflit, Note, Offre


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


def offer_for(offre):
    indispensables = {
        resultat.critere.code: scoring.IndispensableResult(resultat.satisfait, resultat.motif)
        for resultat in offre.indispensables.all()
    }
    return scoring.Offer(
        id=offre.pk,
        label=offre.candidat.societe,
        total_price=offre.prix_total_ht,
        day_rate=offre.prix_jour_ht,
        hors_delai=offre.hors_delai,
        recevable=offre.recevable,
        missing=tuple(offre.pieces_manquantes()),
        indispensables=indispensables,
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
    ranking = scoring.evaluate(
        [c.as_criterion() for c in criteres],
        [offer_for(offre) for offre in offres],
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
    return Analyse(consultation, criteres, offres, ranking, notes, consensus, conflits)
