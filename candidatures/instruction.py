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
- **Conflicts of interest.** Any manager of the campaign (a designated instructor or not)
  declares a conflict with a filed dossier, with the nature of the link, at any stage (a
  conflict found after the decision still keeps them away from its convention: in_conflict).
  They do not score it (their draft notes are deleted; a grid they had already submitted is
  kept as a trace but stops counting: left out of the mean and of the instructors waited for,
  and the dossier's statut is re-evaluated), they see neither its notes nor its consensus,
  and they set no consensus, ask no pieces and take no decision on it.
- **Consensus.** A manager who is not blind on the dossier nor in conflict with it sets the
  agreed note of a criterion; it replaces the mean, and needs a reason when it differs from the
  mean of the submitted grids.
- **Instructed.** A filed dossier (statut `deposee`) becomes `instruite` when every criterion
  has a consensus note, or when every designated instructor not in conflict with it (at least
  one) submitted their grid. Only instructed dossiers are ranked: their note per criterion is
  the consensus, else the mean of the submitted grids of instructors not in conflict; the score
  is Σ poids × note ÷ 10, on 100, to the cent; equal scores share a rank and the tie is
  explained (core.scoring).
- **Missing pieces.** A manager not in conflict asks for them with a reply date: the dossier
  is `incomplete` (not scored, not ranked) until the porteur files it again; the lead's filing
  calls `close_requests`, which records the answer (a request has `repondue_le` and the `depot`
  that answered it). Past its date an unanswered request shows late, and the dossier may then
  be declared « non retenue » (below): the porteur did not complete it in time.
- **Decision.** The selection committee's decision (retenue, liste d'attente, non retenue) is
  recorded by a manager neither in conflict nor blind on the dossier (a designated instructor
  who has not submitted their grid on it decides nothing on it), with its reason, on an
  instructed dossier — or « non retenue » only, on an incomplete dossier whose request for
  pieces is past its reply date; it closes its instruction. It may be decided again (a dossier
  on the waiting list retained after a withdrawal) until its financing convention is prepared:
  from then on the decision no longer changes. Retaining beyond the envelope is warned about,
  not blocked (the ARS may top it up); the envelope consumed is `enveloppe_consommee`, built on
  `montant_engage`.
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
    Convention,
    DecisionSelection,
    DemandePieces,
    GrilleInstruction,
    Instructeur,
    NoteInstruction,
)
from core import scoring
from core.mail import absolute_url, send_after_commit
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

    def lignes_pour(self, user):
        """The rows as `user` may list them: the ones whose score they see in the ranking's order,
        then the masked ones (masques_pour) by grappe name, so that their order tells nothing of
        their rank."""
        hidden = self.masques_pour(user)
        masked = [ligne for ligne in self.lignes if ligne.candidature.pk in hidden]
        masked.sort(key=lambda ligne: (ligne.candidature.grappe.name, ligne.candidature.pk))
        return [ligne for ligne in self.lignes if ligne.candidature.pk not in hidden] + masked

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
    """Lock the dossier's campaign, then the dossier (its row alone): the order every write here
    and the filing (candidatures.services) follow, so that two of them never wait for each
    other in a cycle. Returns the dossier read again under the lock."""
    Campagne.objects.select_for_update().filter(pk=candidature.campagne_id).first()
    return (
        Candidature.objects.select_for_update(of=("self",))
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
    if in_conflict(user, candidature):
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


def in_conflict(user, candidature):
    """`user` declared a conflict of interest with the dossier: they score it not, see not its
    notes, and set no consensus, ask no pieces, take no decision on it (nor, for the convention
    views, prepare or sign its convention)."""
    if user is None or not user.is_authenticated:
        return False
    return ConflitInstruction.objects.filter(candidature=candidature, instructeur=user).exists()


def conflit_refusal(candidature, user):
    """Why `user` may not declare a conflict with this dossier (None when they may): any
    manager of the campaign may, once, at any stage of a filed dossier."""
    if candidature.statut not in DEPOSEES:
        return "Ce dossier n'est pas déposé."
    if not perms.can_manage_campagne(user, candidature.campagne):
        return (
            "Seuls les gestionnaires de la campagne déclarent un conflit d'intérêts avec ses "
            "dossiers."
        )
    if in_conflict(user, candidature):
        return "Vous avez déjà déclaré un conflit d'intérêts avec ce dossier."
    return None


@transaction.atomic
def declare_conflit(candidature, user, motif):
    """The manager is left out of the dossier. An instructor's draft notes on it are deleted; a
    grid they had submitted stays as a trace but no longer counts (analyse and sync_statut count
    only the grids of instructors not in conflict): the dossier is re-evaluated."""
    candidature = _lock(candidature)
    refusal = conflit_refusal(candidature, user)
    if refusal:
        raise InstructionRefused(refusal)
    grille = GrilleInstruction.objects.filter(candidature=candidature, instructeur=user).first()
    ConflitInstruction.objects.create(candidature=candidature, instructeur=user, motif=motif)
    if grille is not None and not grille.soumise:
        grille.delete()
    HistoryEntry.record(
        None,
        user,
        "Conflit d'intérêts déclaré (instruction)",
        candidature,
        {
            "Nature du lien": motif,
            "Grille déjà soumise": "oui, elle ne compte plus" if grille and grille.soumise else "",
        },
    )
    # One instructor fewer to wait for (the dossier may now be instructed), or one submitted
    # grid fewer (it may no longer be).
    sync_statut(candidature)


CONFLICT_REFUSAL = (
    "Vous avez déclaré un conflit d'intérêts avec ce dossier : vous n'en décidez pas."
)
BLIND_DECISION = (
    "Soumettez d'abord votre propre grille sur ce dossier : un instructeur désigné n'en décide "
    "pas tant qu'il ne l'a pas noté."
)
CONVENTION_REFUSAL = "La convention de financement est préparée : la décision ne change plus."


def consensus_refusal(candidature, user):
    reason = closed_reason(candidature)
    if reason:
        return reason
    if not perms.can_manage_campagne(user, candidature.campagne):
        return "Seuls les gestionnaires de la campagne fixent les notes de consensus."
    if in_conflict(user, candidature):
        return CONFLICT_REFUSAL
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
        and not in_conflict(user, candidature)
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
    send_after_commit(
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


def demande_refusal(candidature, user):
    """Why `user` may not ask this dossier's porteur for pieces (None when they may)."""
    if candidature.statut == S.INCOMPLETE:
        return "Une demande de pièces est déjà en attente de réponse sur ce dossier."
    reason = closed_reason(candidature)
    if reason:
        return reason
    if not perms.can_manage_campagne(user, candidature.campagne):
        return "Seuls les gestionnaires de la campagne demandent des pièces au porteur."
    if in_conflict(user, candidature):
        return (
            "Vous avez déclaré un conflit d'intérêts avec ce dossier : vous ne demandez pas de "
            "pièces à son porteur."
        )
    return None


def demander_pieces(candidature, message, echeance, user):
    """Ask the porteur for missing pieces by `echeance` (a date): the dossier is incomplete
    until filed again; traced in the grappe's history; its chefs de projet are told."""
    with transaction.atomic():
        candidature = _lock(candidature)
        refusal = demande_refusal(candidature, user)
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


def reopen_grids(candidature, depot):
    """A dossier completed after a request for pieces is read again: the grids submitted on the
    earlier version keep their notes but are reopened, so that each instructor confirms or
    revises them on the new one (those in conflict stay out). Returns how many."""
    conflicted = candidature.conflits.values("instructeur_id")
    reopened = (
        candidature.grilles.filter(soumise_le__isnull=False)
        .exclude(instructeur_id__in=conflicted)
        .update(soumise_le=None)
    )
    if reopened:
        HistoryEntry.record(
            None,
            None,
            "Grilles d'instruction rouvertes : dossier complété",
            candidature,
            {"Version": str(depot.numero), "Grilles": str(reopened)},
        )
    return reopened


def sans_reponse(ligne):
    """The dossier is incomplete and its request for pieces is past its reply date: the porteur
    did not complete it in time, the committee may declare it « non retenue » (only)."""
    return (
        ligne.candidature.statut == S.INCOMPLETE
        and ligne.demande is not None
        and ligne.demande.en_retard()
    )


def decisions_possibles(ligne):
    """The decisions the dossier may receive: all once instructed, « non retenue » alone on an
    incomplete dossier left without answer past its reply date."""
    if sans_reponse(ligne):
        return [S.NON_RETENUE]
    return list(DECISIONS)


def decision_refusal(candidature, user, ligne, decision=None):
    """Why `user` may not record a decision (`decision` when known) on the dossier of `ligne`
    (None when they may)."""
    if Convention.objects.filter(candidature=candidature).exists():
        return CONVENTION_REFUSAL
    if candidature.statut == S.INCOMPLETE and not sans_reponse(ligne):
        return closed_reason(candidature)
    if not perms.can_manage_campagne(user, candidature.campagne):
        return "Seuls les gestionnaires de la campagne enregistrent les décisions."
    if user.pk in ligne.conflits:  # every declared conflict, a manager's as an instructor's
        return CONFLICT_REFUSAL
    if is_blind(user, candidature):
        return BLIND_DECISION
    if sans_reponse(ligne):
        if decision is not None and decision != S.NON_RETENUE:
            return (
                f"Le dossier est incomplet : les pièces demandées étaient attendues le "
                f"{ligne.demande.echeance:%d/%m/%Y} et le porteur ne les a pas déposées. Seule "
                "la décision « non retenue » peut être enregistrée."
            )
        return None
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
        # Then the dossier's own (the convention's preparation takes it too): nothing changes
        # the dossier between the checks below, made on what is read under the locks, and the
        # decision.
        locked = _lock(candidature)
        instruction = analyse(campagne)
        ligne = instruction.by_id.get(locked.pk)
        if ligne is None:
            raise InstructionRefused("Ce dossier n'est pas déposé.")
        candidature = ligne.candidature
        candidature.campagne = campagne
        refusal = decision_refusal(candidature, user, ligne, decision)
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
