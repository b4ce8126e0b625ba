"""The ARS instruction of a campaign's filed dossiers and the selection (issue 14), on the
weighted-scoring engine `core/scoring.py` (no second engine: the models are mapped onto it).

The rules:

- **Who instructs.** The campaign's managers (candidatures.perms.can_manage_campagne) designate
  its instructors among the ARS agents of the AAP's region and the national administrators. The
  national administrators are eligible because a national call (an AAP without a region) has no
  regional ARS to instruct it, and because the national team may lend a hand to a regional ARS
  short of instructors; an agent of another region never is (the dossiers are not theirs).
- **Blind.** A designated instructor sees nobody else's notes on a dossier (nor its consensus,
  score or rank) until they submitted their own grid on it; a grid is submitted only complete
  (a note from 0 to 10 and a justification on every criterion) and is then locked.
- **Conflicts of interest.** An instructor declares a conflict with a dossier, with its reason:
  they do not score it (their notes on it are deleted), they are not waited for, they see
  neither its notes nor its consensus, and they take no decision on it.
- **Consensus.** A manager who is not blind on the dossier nor in conflict with it sets the
  agreed note of a criterion; it replaces the mean, and needs a reason when it differs from the
  mean of the submitted grids.
- **Instructed.** A filed dossier (statut `deposee`) becomes `instruite` when every criterion
  has a consensus note, or when every designated instructor not in conflict with it (at least
  one) submitted their grid. Only instructed dossiers are ranked: their note per criterion is
  the consensus, else the mean of the submitted grids of instructors not in conflict; the score
  is Σ poids × note ÷ 10, on 100, to the cent; equal scores share a rank and the tie is
  explained (core.scoring).
- **Missing pieces.** A manager asks for them with a reply date: the dossier is `incomplete`
  (not scored, not ranked) until the porteur files it again; the lead's filing calls
  `close_requests`, which records the answer. Past its date an unanswered request shows late.
- **Decision.** The selection committee's decision (retenue, liste d'attente, non retenue) is
  recorded by a manager not in conflict, with its reason, on an instructed dossier; it closes its
  instruction. Retaining beyond the envelope is warned about, not blocked (the ARS may top it
  up); the envelope consumed is `enveloppe_consommee`, built on `montant_engage`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from candidatures import perms
from candidatures.enums import StatutCandidature
from candidatures.models import (
    DECISIONS,
    Campagne,
    Candidature,
    ConflitInstruction,
    ConsensusInstruction,
    DecisionSelection,
    DemandePieces,
    GrilleInstruction,
    Instructeur,
    NoteInstruction,
)
from core import scoring
from core.mail import absolute_url, send_templated_mail
from core.money import euros
from core.text import number
from grappe.models import ArsAgent, HistoryEntry

S = StatutCandidature
# The instruction is open on a complete filed dossier, until the committee's decision.
OUVERTE = (S.DEPOSEE, S.INSTRUITE)
# Dossiers the ARS sees: every filed one (a draft is the grappe's).
DEPOSEES = (S.DEPOSEE, S.INCOMPLETE, S.INSTRUITE, *DECISIONS)
TIE_ADVICE = "Le comité de sélection les départage et motive sa décision."


class InstructionRefused(PermissionDenied):
    """A write the instruction's state refuses; the 403 page shows the French reason."""


def person(user):
    return (user.get_full_name() or user.email) if user else ""


def chefs_de_projet(grappe):
    """The grappe's chefs de projet (users): they carry the dossier and hear from the ARS."""
    return list(grappe.chefs_de_projet())


def eligible_instructeurs(campagne):
    """Who may be designated: the ARS agents of the AAP's region and the national admins."""
    users = get_user_model().objects.filter(is_active=True)
    region = Q(pk__in=ArsAgent.objects.filter(region_id=campagne.aap.region_id).values("user_id"))
    return users.filter(Q(is_staff=True) | region if campagne.aap.region_id else Q(is_staff=True))


# ---------------------------------------------------------------------------------------------
# The envelope
# ---------------------------------------------------------------------------------------------


def montant_engage(candidature):
    """What a retained dossier takes from the envelope: the amount its convention grants once
    prepared, its request frozen at filing until then."""
    convention = getattr(candidature, "convention", None)
    if convention is not None:
        return convention.montant_accorde
    return candidature.montant_demande or Decimal(0)


def enveloppe_consommee(candidatures):
    """The envelope consumed by the retained dossiers among `candidatures` (loaded rows)."""
    return sum((montant_engage(c) for c in candidatures if c.statut == S.RETENUE), Decimal("0.00"))


# ---------------------------------------------------------------------------------------------
# The analysis: every filed dossier of a campaign, its instruction and its rank, in a fixed
# number of queries whatever the number of dossiers, instructors and notes.
# ---------------------------------------------------------------------------------------------


@dataclass
class Ligne:
    candidature: Candidature
    attendus: set  # designated instructors not in conflict (user ids)
    soumis: set  # those who submitted their grid
    conflits: set  # instructors in conflict (user ids)
    consensus: dict  # critere id → ConsensusInstruction
    instruite: bool = False
    result: scoring.OfferResult | None = None
    demande: DemandePieces | None = None  # the open request for pieces
    decision: DecisionSelection | None = None  # the latest decision

    @property
    def score(self):
        return self.result.total if self.result is not None and self.result.ranked else None

    @property
    def rang(self):
        return self.result.rank if self.result is not None and self.result.ranked else None

    @property
    def en_attente(self):
        """Instructors still expected (ids)."""
        return self.attendus - self.soumis


@dataclass
class Instruction:
    campagne: Campagne
    criteres: list
    instructeurs: list  # Instructeur rows with their user
    lignes: list  # Ligne: the ranked first (best first), then the others by grappe name
    ranking: scoring.Ranking
    notes: list = field(default_factory=list)  # (instructeur id, candidature id, critere id, …)

    @property
    def by_id(self):
        return {ligne.candidature.pk: ligne for ligne in self.lignes}

    @property
    def instructeur_ids(self):
        return {i.user_id for i in self.instructeurs}

    def masques_pour(self, user):
        """Ids of the dossiers whose notes, score and rank `user` may not see: blind (designated,
        grid not submitted) or left out (in conflict)."""
        hidden = set()
        for ligne in self.lignes:
            left_out = user.pk in ligne.conflits
            blind = user.pk in self.instructeur_ids and user.pk not in ligne.soumis
            if left_out or blind:
                hidden.add(ligne.candidature.pk)
        return hidden

    def consommee(self):
        return enveloppe_consommee(ligne.candidature for ligne in self.lignes)


def est_instruite(criteres_ids, attendus, soumis, consensus_ids):
    """The definition (module docstring): a consensus on every criterion, or every expected
    instructor (at least one) submitted."""
    if criteres_ids and set(criteres_ids) <= set(consensus_ids):
        return True
    return bool(attendus) and attendus <= soumis


def as_criterion(critere):
    return scoring.Criterion(
        code=str(critere.pk),
        label=critere.libelle,
        weight=Decimal(critere.poids),
        scale_max=10,
        kind=scoring.QUALITATIF,
    )


def analyse(campagne):
    criteres = list(campagne.criteres.all())
    instructeurs = list(
        Instructeur.objects.filter(campagne=campagne)
        .select_related("user")
        .order_by("user__last_name", "user__email")
    )
    designes = {i.user_id for i in instructeurs}
    candidatures = list(
        Candidature.objects.filter(campagne=campagne, statut__in=DEPOSEES)
        .select_related("grappe", "convention")
        .order_by("grappe__name", "pk")
    )
    in_campagne = {"grille__candidature__campagne": campagne}
    notes = list(
        NoteInstruction.objects.filter(**in_campagne, grille__soumise_le__isnull=False).values_list(
            "grille__instructeur_id", "grille__candidature_id", "critere_id", "valeur"
        )
    )
    soumis, conflits, consensus, demandes, decisions = {}, {}, {}, {}, {}
    for candidature_id, user_id in GrilleInstruction.objects.filter(
        candidature__campagne=campagne, soumise_le__isnull=False
    ).values_list("candidature_id", "instructeur_id"):
        soumis.setdefault(candidature_id, set()).add(user_id)
    for candidature_id, user_id in ConflitInstruction.objects.filter(
        candidature__campagne=campagne
    ).values_list("candidature_id", "instructeur_id"):
        conflits.setdefault(candidature_id, set()).add(user_id)
    for row in ConsensusInstruction.objects.filter(candidature__campagne=campagne):
        consensus.setdefault(row.candidature_id, {})[row.critere_id] = row
    for demande in DemandePieces.objects.ouvertes().filter(candidature__campagne=campagne):
        demandes.setdefault(demande.candidature_id, demande)
    for decision in DecisionSelection.objects.filter(candidature__campagne=campagne).select_related(
        "par"
    ):
        decisions.setdefault(decision.candidature_id, decision)  # latest first (Meta.ordering)

    criteres_ids = [c.pk for c in criteres]
    lignes = []
    for candidature in candidatures:
        pk = candidature.pk
        in_conflict = conflits.get(pk, set())
        attendus = designes - in_conflict
        ligne = Ligne(
            candidature=candidature,
            attendus=attendus,
            # Only the grids of instructors still designated and not in conflict count.
            soumis=soumis.get(pk, set()) & attendus,
            conflits=in_conflict,
            consensus=consensus.get(pk, {}),
            demande=demandes.get(pk),
            decision=decisions.get(pk),
        )
        # A decided dossier was instructed when decided and stays ranked, whoever is
        # designated since (its instruction is closed: a newcomer cannot score it).
        ligne.instruite = candidature.statut in DECISIONS or (
            candidature.statut != S.INCOMPLETE
            and est_instruite(criteres_ids, ligne.attendus, ligne.soumis, ligne.consensus)
        )
        lignes.append(ligne)

    ranked = [ligne for ligne in lignes if ligne.instruite]
    labels = {ligne.candidature.pk: ligne.candidature.grappe.name for ligne in ranked}
    counted = {(ligne.candidature.pk, user_id) for ligne in ranked for user_id in ligne.soumis}
    ranking = scoring.evaluate(
        [as_criterion(c) for c in criteres],
        [scoring.Offer(id=pk, label=label) for pk, label in labels.items()],
        scores=[
            scoring.Score(user_id, candidature_id, str(critere_id), valeur)
            for user_id, candidature_id, critere_id, valeur in notes
            if (candidature_id, user_id) in counted
        ],
        conflicts={
            (user_id, ligne.candidature.pk) for ligne in ranked for user_id in ligne.conflits
        },
        consensus={
            (ligne.candidature.pk, str(critere_id)): row.valeur
            for ligne in ranked
            for critere_id, row in ligne.consensus.items()
        },
        tie_advice=TIE_ADVICE,
    )
    by_id = {ligne.candidature.pk: ligne for ligne in lignes}
    ordered = []
    for result in ranking.ranked:
        by_id[result.offer.id].result = result
        ordered.append(by_id[result.offer.id])
    ordered += [ligne for ligne in lignes if not ligne.instruite]
    return Instruction(campagne, criteres, instructeurs, ordered, ranking, notes)


def classement(campagne):
    """{candidature id: {"score": Decimal on 100 or None, "rang": int or None}} for every filed
    dossier of the campaign; None while the dossier is not instructed (or incomplete)."""
    return {
        ligne.candidature.pk: {"score": ligne.score, "rang": ligne.rang}
        for ligne in analyse(campagne).lignes
    }


def moyennes(instruction, candidature):
    """{critere id: mean of the counted notes (Decimal to the cent) or None}."""
    ligne = instruction.by_id[candidature.pk]
    values = {}
    for user_id, candidature_id, critere_id, valeur in instruction.notes:
        if candidature_id == candidature.pk and user_id in ligne.soumis:
            values.setdefault(critere_id, []).append(Decimal(valeur))
    return {
        c.pk: scoring.quantize(sum(values[c.pk]) / len(values[c.pk])) if c.pk in values else None
        for c in instruction.criteres
    }


# ---------------------------------------------------------------------------------------------
# The writes. Each locks the dossier (or the campaign) and checks again under the lock.
# ---------------------------------------------------------------------------------------------


def _lock(candidature):
    return (
        Candidature.objects.select_for_update()
        .select_related("campagne__aap", "grappe")
        .get(pk=candidature.pk)
    )


def sync_statut(candidature):
    """deposee ↔ instruite as the instruction completes (or stops being complete: an instructor
    designated later is waited for). Nothing else moves: incomplete and decided dossiers stay.
    Called after every write here; the filing may call it after setting a re-filed dossier back
    to deposee (its grids, kept, may already make it instructed)."""
    if candidature.statut not in OUVERTE:
        return
    criteres_ids = list(candidature.campagne.criteres.values_list("pk", flat=True))
    designes = set(
        Instructeur.objects.filter(campagne=candidature.campagne).values_list("user_id", flat=True)
    )
    attendus = designes - set(candidature.conflits.values_list("instructeur_id", flat=True))
    soumis = set(
        candidature.grilles.filter(soumise_le__isnull=False).values_list(
            "instructeur_id", flat=True
        )
    )
    consensus_ids = set(candidature.consensus.values_list("critere_id", flat=True))
    done = est_instruite(criteres_ids, attendus, soumis & attendus, consensus_ids)
    statut = S.INSTRUITE if done else S.DEPOSEE
    if statut != candidature.statut:
        candidature.statut = statut
        candidature.save(update_fields=["statut", "updated_at"])


def closed_reason(candidature):
    """Why the dossier's instruction is closed (None while it is open)."""
    if candidature.statut == S.INCOMPLETE:
        return (
            "Des pièces ont été demandées au porteur : le dossier est incomplet et ne se note "
            "pas avant son nouveau dépôt."
        )
    if candidature.statut in DECISIONS:
        return (
            "Le comité de sélection a rendu sa décision sur ce dossier : son instruction est close."
        )
    if candidature.statut not in OUVERTE:
        return "Ce dossier n'est pas déposé."
    return None


def grille_refusal(candidature, user, grille=None):
    """Why `user` may not change their grid on this dossier (None when they may)."""
    reason = closed_reason(candidature)
    if reason:
        return reason
    if not perms.is_instructeur(user, candidature.campagne):
        return (
            "Vous n'êtes pas désigné instructeur de cette campagne : seuls les instructeurs "
            "désignés par ses gestionnaires notent les dossiers."
        )
    if ConflitInstruction.objects.filter(candidature=candidature, instructeur=user).exists():
        return (
            "Vous avez déclaré un conflit d'intérêts avec ce dossier : vous ne le notez pas et "
            "vos notes n'en font pas partie."
        )
    if grille is not None and grille.soumise:
        when = timezone.localtime(grille.soumise_le)
        return (
            f"Votre grille a été soumise le {when:%d/%m/%Y à %H:%M} : elle est verrouillée et ne "
            "peut plus être modifiée."
        )
    return None


def submission_errors(criteres, values):
    """French errors preventing a submission, [] when the grid is complete. `values`:
    {critere id: (note or None, justification)}."""
    if not criteres:
        return ["La campagne n'a aucun critère de priorité : rien à noter."]
    missing = []
    for critere in criteres:
        note, text = values.get(critere.pk, (None, ""))
        lacking = [
            label
            for label, absent in (("note", note is None), ("justification", not text.strip()))
            if absent
        ]
        if lacking:
            missing.append(f"{critere.libelle} : {' et '.join(lacking)}")
    if not missing:
        return []
    return [
        "Votre grille n'est pas soumise : chaque critère doit être noté de 0 à 10, avec une "
        "justification. Il manque :",
        *missing,
    ]


@transaction.atomic
def save_grille(candidature, user, values, commentaire="", submit=False):
    """Write the instructor's notes {critere: (note or None, justification)} and submit the grid
    when asked (the caller checked submission_errors). Refused under the lock when the grid is
    locked, the instructor in conflict or the instruction closed."""
    candidature = _lock(candidature)
    grille = GrilleInstruction.objects.filter(candidature=candidature, instructeur=user).first()
    refusal = grille_refusal(candidature, user, grille)
    if refusal:
        raise InstructionRefused(refusal)
    grille = grille or GrilleInstruction.objects.create(candidature=candidature, instructeur=user)
    for critere, (note, text) in values.items():
        if note is None:
            NoteInstruction.objects.filter(grille=grille, critere=critere).delete()
        else:
            NoteInstruction.objects.update_or_create(
                grille=grille, critere=critere, defaults={"valeur": note, "commentaire": text}
            )
    grille.commentaire = commentaire
    fields = ["commentaire"]
    if submit:
        grille.soumise_le = timezone.now()
        fields.append("soumise_le")
    grille.save(update_fields=fields)
    if submit:
        # The campaign's history, not the grappe's: the porteur does not follow who scored.
        HistoryEntry.record(None, user, "Grille d'instruction soumise", candidature)
        sync_statut(candidature)
    return grille


@transaction.atomic
def declare_conflit(candidature, user, motif):
    """The instructor is left out of the dossier: their draft notes on it are deleted."""
    candidature = _lock(candidature)
    grille = GrilleInstruction.objects.filter(candidature=candidature, instructeur=user).first()
    refusal = grille_refusal(candidature, user, grille)
    if refusal:
        raise InstructionRefused(refusal)
    ConflitInstruction.objects.create(candidature=candidature, instructeur=user, motif=motif)
    if grille is not None:
        grille.delete()
    HistoryEntry.record(
        None,
        user,
        "Conflit d'intérêts déclaré (instruction)",
        candidature,
        {"Nature du lien": motif},
    )
    # One instructor fewer to wait for: the dossier may now be instructed.
    sync_statut(candidature)


def consensus_refusal(candidature, user):
    reason = closed_reason(candidature)
    if reason:
        return reason
    if not perms.can_manage_campagne(user, candidature.campagne):
        return "Seuls les gestionnaires de la campagne fixent les notes de consensus."
    if ConflitInstruction.objects.filter(candidature=candidature, instructeur=user).exists():
        return "Vous avez déclaré un conflit d'intérêts avec ce dossier : vous n'en décidez pas."
    if is_blind(user, candidature):
        return (
            "Soumettez d'abord votre propre grille sur ce dossier : un instructeur ne voit les "
            "notes des autres, et n'en fixe le consensus, qu'après avoir soumis les siennes."
        )
    return None


def is_blind(user, candidature):
    """Designated instructor who has not submitted their grid on the dossier."""
    return (
        Instructeur.objects.filter(campagne_id=candidature.campagne_id, user=user).exists()
        and not GrilleInstruction.objects.filter(
            candidature=candidature, instructeur=user, soumise_le__isnull=False
        ).exists()
    )


def can_see_notes(user, candidature):
    """The others' notes on the dossier: a manager neither blind nor in conflict."""
    return (
        perms.can_manage_campagne(user, candidature.campagne)
        and not ConflitInstruction.objects.filter(
            candidature=candidature, instructeur=user
        ).exists()
        and not is_blind(user, candidature)
    )


@transaction.atomic
def set_consensus(candidature, critere, valeur, motif, user, mean=None):
    """Set the agreed note; `mean` is the instructors' mean on that criterion (moyennes): a
    note that differs from it, or a note set without any grid, needs its reason."""
    candidature = _lock(candidature)
    refusal = consensus_refusal(candidature, user)
    if refusal:
        raise InstructionRefused(refusal)
    if not motif.strip() and (mean is None or Decimal(valeur) != Decimal(mean)):
        raise ValueError(
            "Motivez la note de consensus : "
            + (
                f"elle diffère de la moyenne des instructeurs ({number(mean, 2)})."
                if mean is not None
                else "aucune grille soumise ne la fonde."
            )
        )
    previous = ConsensusInstruction.objects.filter(candidature=candidature, critere=critere).first()
    ConsensusInstruction.objects.update_or_create(
        candidature=candidature,
        critere=critere,
        defaults={"valeur": valeur, "motif": motif, "par": user, "le": timezone.now()},
    )
    HistoryEntry.record(
        None,
        user,
        "Note de consensus fixée (instruction)",
        candidature,
        {
            critere.libelle: [number(previous.valeur) if previous else "", number(valeur)],
            "Moyenne des instructeurs": number(mean, 2) if mean is not None else "",
            "Motif": motif,
        },
    )
    sync_statut(candidature)


@transaction.atomic
def designer(campagne, users, by):
    """Set the campaign's instructors to `users` (eligible ones: the form offers no other). One
    who submitted a grid stays: removing them would change the notes already counted."""
    Campagne.objects.select_for_update().filter(pk=campagne.pk).first()
    wanted = {u.pk: u for u in users}
    current = {i.user_id: i for i in Instructeur.objects.filter(campagne=campagne)}
    removed = set(current) - set(wanted)
    kept = set(
        GrilleInstruction.objects.filter(
            candidature__campagne=campagne, instructeur_id__in=removed, soumise_le__isnull=False
        ).values_list("instructeur_id", flat=True)
    )
    Instructeur.objects.filter(campagne=campagne, user_id__in=removed - kept).delete()
    Instructeur.objects.bulk_create(
        Instructeur(campagne=campagne, user=user, designe_par=by)
        for pk, user in wanted.items()
        if pk not in current
    )
    names = [
        person(i.user) for i in Instructeur.objects.filter(campagne=campagne).select_related("user")
    ]
    HistoryEntry.record(
        None, by, "Instructeurs désignés", campagne, {"Instructeurs": ", ".join(names)}
    )
    for candidature in Candidature.objects.filter(campagne=campagne, statut__in=OUVERTE):
        candidature.campagne = campagne
        sync_statut(candidature)
    return kept


def _mail_chefs(candidature, subject, template, context):
    link = absolute_url(reverse("candidatures:candidature", args=[candidature.grappe_id]))
    return send_templated_mail(
        chefs_de_projet(candidature.grappe),
        subject,
        template,
        {
            "grappe": candidature.grappe,
            "campagne": candidature.campagne,
            "candidature": candidature,
            "link": link,
            **context,
        },
    )


def demande_refusal(candidature):
    if candidature.statut == S.INCOMPLETE:
        return "Une demande de pièces est déjà en attente de réponse sur ce dossier."
    return closed_reason(candidature)


def demander_pieces(candidature, message, echeance, user):
    """Ask the porteur for missing pieces by `echeance` (a date): the dossier is incomplete
    until filed again; traced in the grappe's history; its chefs de projet are told."""
    with transaction.atomic():
        candidature = _lock(candidature)
        refusal = demande_refusal(candidature)
        if refusal:
            raise InstructionRefused(refusal)
        demande = DemandePieces.objects.create(
            candidature=candidature, message=message, echeance=echeance, demandee_par=user
        )
        candidature.statut = S.INCOMPLETE
        candidature.save(update_fields=["statut", "updated_at"])
        HistoryEntry.record(
            candidature.grappe,
            user,
            "Demande de pièces complémentaires (ARS)",
            candidature.campagne,
            {"Pièces demandées": message, "Réponse attendue le": f"{echeance:%d/%m/%Y}"},
        )
    _mail_chefs(
        candidature,
        f"Candidature « {candidature.campagne.aap.name} » : pièces complémentaires demandées",
        "emails/candidature_instruction_demande_pieces.txt",
        {"demande": demande},
    )
    return demande


def close_requests(candidature, depot):
    """Called by the filing after a new version is filed: the open requests for pieces are
    answered by that version (its filing time, its number). Sets nothing else (the filing
    sets the statut). Returns the number of requests closed."""
    return (
        DemandePieces.objects.ouvertes()
        .filter(candidature=candidature)
        .update(repondue_le=depot.deposee_le, depot=depot)
    )


def decision_refusal(candidature, user, ligne):
    if candidature.statut == S.INCOMPLETE:
        return closed_reason(candidature)
    if not perms.can_manage_campagne(user, candidature.campagne):
        return "Seuls les gestionnaires de la campagne enregistrent les décisions."
    if user.pk in ligne.conflits:
        return "Vous avez déclaré un conflit d'intérêts avec ce dossier : vous n'en décidez pas."
    if not ligne.instruite:
        return (
            "Le dossier n'est pas encore instruit : tous les instructeurs désignés (hors conflit "
            "d'intérêts) doivent avoir soumis leur grille, ou une note de consensus être fixée "
            "sur chaque critère."
        )
    return None


def depassement(instruction, candidature, decision):
    """The warning for retaining `candidature` beyond the envelope (None if within it)."""
    if decision != S.RETENUE:
        return None
    others = [
        ligne.candidature for ligne in instruction.lignes if ligne.candidature.pk != candidature.pk
    ]
    after = enveloppe_consommee(others) + montant_engage(candidature)
    enveloppe = instruction.campagne.enveloppe
    if after <= enveloppe:
        return None
    return (
        f"Attention : avec ce dossier, les dossiers retenus totalisent {euros(after)} pour une "
        f"enveloppe de {euros(enveloppe)} (dépassement de {euros(after - enveloppe)})."
    )


def decider(candidature, decision, motif, user, date=None):
    """Record the selection committee's decision. Returns (DecisionSelection, warning or None):
    retaining beyond the envelope is allowed, and said."""
    with transaction.atomic():
        # The campaign's lock serialises the decisions: the envelope is summed once at a time.
        campagne = (
            Campagne.objects.select_for_update()
            .select_related("aap")
            .get(pk=candidature.campagne_id)
        )
        instruction = analyse(campagne)
        ligne = instruction.by_id.get(candidature.pk)
        if ligne is None:
            raise InstructionRefused("Ce dossier n'est pas déposé.")
        candidature = ligne.candidature
        candidature.campagne = campagne
        refusal = decision_refusal(candidature, user, ligne)
        if refusal:
            raise InstructionRefused(refusal)
        warning = depassement(instruction, candidature, decision)
        row = DecisionSelection.objects.create(
            candidature=candidature,
            decision=decision,
            motif=motif,
            date=date or timezone.localdate(),
            par=user,
            score=ligne.score,
            rang=ligne.rang,
            enveloppe_depassee=warning is not None,
        )
        previous = candidature.get_statut_display()
        candidature.statut = decision
        candidature.save(update_fields=["statut", "updated_at"])
        consumed = instruction.consommee()
        HistoryEntry.record(
            candidature.grappe,
            user,
            "Décision du comité de sélection",
            campagne,
            {
                "Décision": [previous, row.get_decision_display()],
                "Motif": motif,
                "Score": f"{number(ligne.score, 2)} / 100" if ligne.score is not None else "",
                "Rang": str(ligne.rang or ""),
                "Enveloppe consommée": f"{euros(consumed)} sur {euros(campagne.enveloppe)}",
            },
        )
    _mail_chefs(
        candidature,
        f"Candidature « {campagne.aap.name} » : décision du comité de sélection",
        "emails/candidature_decision_comite.txt",
        {
            "decision": row,
            "lettre": absolute_url(
                reverse("candidatures:lettre_decision", args=[campagne.pk, candidature.pk])
            ),
        },
    )
    return row, warning
