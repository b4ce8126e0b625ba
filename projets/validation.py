"""Collegial validation by the COPIL.

Two layers:

- the rule, pure and reusable (deliverables today, meeting minutes tomorrow): `outcome()` says
  whether a set of approvals and rejections validates, rejects or leaves the document pending,
  and `copil_rule(grappe)` reads who votes and how many approvals the grappe's COPIL requires;
- the deliverable workflow built on it: `submit_version()` (déposée → soumise) and
  `record_avis()` (one member's approval, rejection or comment, then the outcome), both under a
  row lock so that two simultaneous answers cannot both miss the threshold.

Nobody approves their own document: the people who deposited, wrote or submitted it
(`author_ids`, projets.models.AuthoredDocument) leave its voters (`Regle.for_document`), and the
approvals it requires shrink with them, so that a unanimity never waits for an author.

Functions refuse what the state forbids by raising `ValidationRefusee` (a French message for the
user); who may call them is the views' business (projets.perms).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.mail import absolute_url, send_templated_mail
from core.text import is_plural, plural
from grappe.enums import RoleKind, TypeComite
from grappe.models import Comite, HistoryEntry
from projets.enums import DecisionAvis, StatutVersion
from projets.models import Avis, CompteRendu, LivrableVersion

VALIDEE = StatutVersion.VALIDEE.value
REJETEE = StatutVersion.REJETEE.value
DECISIVE = (DecisionAvis.APPROUVE, DecisionAvis.REJETTE)


class ValidationRefusee(Exception):
    """What the user asked is not possible in the document's current state."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------


def outcome(approvals, rejections, voters, required):
    """ "validee", "rejetee" or None (pending).

    Validated as soon as `approvals` reach `required` (all voting members under the unanimity
    rule, the quorum otherwise); rejected as soon as that can no longer happen, i.e. when more
    members rejected than the voters who may be missing (`voters - required`): under unanimity a
    single rejection rejects. Without any voter nothing is ever decided.
    """
    if voters <= 0 or required <= 0:
        return None
    if approvals >= required:
        return VALIDEE
    if rejections > voters - required:
        return REJETEE
    return None


@dataclass(frozen=True)
class Regle:
    """Who votes (user ids) and how many approvals validate. `authors`: the voting members left
    out because they wrote or submitted the document (for_document)."""

    voter_ids: frozenset
    required: int
    authors: frozenset = frozenset()

    @property
    def voters(self):
        return len(self.voter_ids)

    def for_document(self, document):
        """The rule for one document: its authors (document.author_ids) do not vote on it, and
        it asks at most as many approvals as there are voters left — all of them under the
        unanimity rule, the quorum otherwise —, so leaving the authors out never deadlocks it."""
        authors = self.voter_ids & document.author_ids
        voter_ids = self.voter_ids - authors
        return Regle(voter_ids, min(self.required, len(voter_ids)), self.authors | authors)

    def may_decide(self, user):
        return user.pk in self.voter_ids

    def check_decider(self, user, *, author_refusal, voter_refusal):
        """The engine's rule for every document: its authors never decide on it, and only its
        voters do; each refusal worded for the document."""
        if user.pk in self.authors:
            raise ValidationRefusee(author_refusal)
        if not self.may_decide(user):
            raise ValidationRefusee(voter_refusal)

    def count(self, decisions, approve=DecisionAvis.APPROUVE, reject=DecisionAvis.REJETTE):
        """(approvals, rejections) among `decisions`, an iterable of (user_id, decision); answers
        of people who no longer vote (left the COPIL, became guests) do not count. Other
        documents name their answers differently: minutes pass `reject="modifications"`."""
        approvals = rejections = 0
        for user_id, decision in decisions:
            if user_id not in self.voter_ids:
                continue
            if decision == approve:
                approvals += 1
            elif decision == reject:
                rejections += 1
        return approvals, rejections

    def outcome(self, decisions, **names):
        approvals, rejections = self.count(decisions, **names)
        return outcome(approvals, rejections, self.voters, self.required)


def approvals_label(approvals, required):
    """« 1 approbation sur les 2 requises », « 0 approbation sur 1 requise »."""
    requises = f"les {required} requises" if is_plural(required) else f"{required} requise"
    return f"{plural(approvals, 'approbation')} sur {requises}"


def copil_rule(grappe):
    """The grappe's COPIL rule: its voting members (guests excluded) and the approvals required
    (Comite.approvals_required: all of them, or the quorum). No COPIL: nobody votes."""
    comite = Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).first()
    if comite is None:
        return Regle(frozenset(), 0)
    voter_ids = frozenset(comite.voting_members().values_list("user_id", flat=True))
    required = comite.approvals_required() if voter_ids else 0
    return Regle(voter_ids, required)


def copil_voters(grappe):
    """The voting COPIL members (users) of the grappe."""
    comite = Comite.objects.filter(grappe=grappe, kind=TypeComite.COPIL).first()
    if comite is None:
        return []
    return [member.user for member in comite.voting_members()]


def chefs_de_projet(grappe):
    """The chefs de projet of the grappe (users)."""
    return list(
        get_user_model()
        .objects.filter(grappe_roles__grappe=grappe, grappe_roles__kind=RoleKind.CHEF_PROJET)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def awaiting_count(user):
    """How many documents wait for `user`'s avis — the rows of their "À valider" inbox
    (LivrableVersion and CompteRendu .objects.awaiting) —, in one query: the header shows it
    on every page."""
    versions = LivrableVersion.objects.awaiting(user).order_by().values("pk")
    minutes = CompteRendu.objects.awaiting(user).order_by().values("pk")
    return versions.union(minutes, all=True).count()


def deciding_voters(grappe, document, words):
    """The COPIL voters who will decide `document` at its submission (its authors left out:
    Regle.for_document). Refused when the COPIL has no voter, or none but the authors.
    `words`: how the messages name it, e.g. ("un compte rendu", "ce compte rendu", "le")."""
    kind, this, pronoun = words
    voters = copil_voters(grappe)
    if not voters:
        raise ValidationRefusee(
            "Le COPIL de la grappe n'a aucun membre votant : composez-le avant de lui soumettre "
            f"{kind}."
        )
    rule = copil_rule(grappe).for_document(document)
    if not rule.voters:
        raise ValidationRefusee(
            f"Le COPIL n'a pas d'autre membre votant que l'auteur de {this} : personne ne "
            f"pourrait {pronoun} valider. Complétez le COPIL avant de {pronoun} soumettre."
        )
    return [voter for voter in voters if rule.may_decide(voter)]


# ---------------------------------------------------------------------------------------------
# The deliverable workflow
# ---------------------------------------------------------------------------------------------


def _locked(version):
    """The version re-read under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return (
        LivrableVersion.objects.select_for_update(of=("self",))
        .select_related("livrable__plan__grappe")
        .get(pk=version.pk)
    )


def _person(user):
    return user.get_full_name() or user.email


def submit_version(version, user):
    """Submit a deposited version to the COPIL: status "soumise", e-mail to every voting member
    but its authors (who deposited it, `user` who submits it) with a direct link to the
    deliverable. Refused when no voter is left to decide. Returns the version."""
    with transaction.atomic():
        version = _locked(version)
        livrable = version.livrable
        grappe = livrable.plan.grappe
        if not livrable.validation_copil:
            raise ValidationRefusee(
                "Ce livrable n'est pas soumis à la validation du COPIL : il suffit de le déposer."
            )
        if version.status != StatutVersion.DEPOSEE:
            raise ValidationRefusee(
                f"La version {version.numero} est « {version.get_status_display().lower()} » : "
                "seule une version déposée peut être soumise au COPIL."
            )
        latest = livrable.versions.order_by("-numero").values_list("numero", flat=True).first()
        if latest != version.numero:
            raise ValidationRefusee("Seule la dernière version déposée peut être soumise au COPIL.")
        version.submitted_by = user
        voters = deciding_voters(grappe, version, ("un livrable", "cette version", "la"))
        version.status = StatutVersion.SOUMISE
        version.submitted_at = timezone.now()
        version.save(update_fields=["status", "submitted_at", "submitted_by"])
        HistoryEntry.record(
            grappe,
            user,
            "Livrable soumis à la validation du COPIL",
            version,
            {"Version": str(version.numero), "Fichier": version.original_name},
        )
        context = {
            "grappe": grappe,
            "livrable": livrable,
            "version": version,
            "submitted_by": _person(user),
            "link": absolute_url(livrable.get_absolute_url()),
            "inbox_link": absolute_url(reverse("projets:inbox")),
        }
        subject = f"À valider : {livrable.titre}"[:150]
        transaction.on_commit(
            lambda: send_templated_mail(voters, subject, "emails/livrable_soumis.txt", context)
        )
    return version


def record_avis(version, user, decision, comment=""):
    """Record `user`'s answer on a submitted version and apply the COPIL rule.

    Only submitted versions take answers; a voting member approves or rejects at most once
    (the database agrees), never a version they deposited or submitted; a rejection says why,
    comments are unlimited. When the answer settles the rule the version becomes "validée"
    (locked) or "rejetée", the grappe's history says so and the chefs de projet get an e-mail
    with the comments. Returns the Avis.
    """
    comment = (comment or "").strip()
    if decision not in DecisionAvis.values:
        raise ValidationRefusee("Avis inconnu.")
    if decision == DecisionAvis.REJETTE and not comment:
        raise ValidationRefusee("Motivez le rejet : le commentaire est obligatoire.")
    if decision == DecisionAvis.COMMENTAIRE and not comment:
        raise ValidationRefusee("Le commentaire est vide.")
    with transaction.atomic():
        version = _locked(version)
        livrable = version.livrable
        grappe = livrable.plan.grappe
        if version.status == StatutVersion.VALIDEE:
            raise ValidationRefusee(
                f"La version {version.numero} est validée et verrouillée : elle ne reçoit plus "
                "d'avis."
            )
        if version.status != StatutVersion.SOUMISE:
            raise ValidationRefusee(
                f"La version {version.numero} n'est pas soumise à la validation du COPIL : "
                "elle ne reçoit pas d'avis."
            )
        rule = copil_rule(grappe).for_document(version)
        if decision in DECISIVE:
            rule.check_decider(
                user,
                author_refusal=(
                    "Vous avez déposé ou soumis cette version : vous ne pouvez pas l'approuver ni "
                    "la rejeter vous-même. Les autres membres votants du COPIL en décident ; "
                    "vous pouvez la commenter."
                ),
                voter_refusal="Seuls les membres votants du COPIL approuvent ou rejettent un livrable.",
            )
            if version.avis.filter(user=user, decision__in=DECISIVE).exists():
                raise ValidationRefusee(
                    "Vous avez déjà donné votre avis sur cette version ; vous pouvez encore la "
                    "commenter."
                )
        try:
            with transaction.atomic():
                avis = Avis.objects.create(
                    version=version, user=user, decision=decision, comment=comment
                )
        except IntegrityError as error:  # the same member, twice at the same instant
            raise ValidationRefusee("Vous avez déjà donné votre avis sur cette version.") from error
        HistoryEntry.record(
            grappe,
            user,
            f"Avis sur un livrable : {avis.get_decision_display().lower()}",
            version,
            {"Version": str(version.numero), **({"Commentaire": comment} if comment else {})},
        )
        if decision in DECISIVE:
            _settle(version, user, rule)
    return avis


def reevaluate(grappe, user=None):
    """Apply the COPIL rule again to the grappe's submitted versions: a seat removed, a quorum
    lowered or an account deactivated may settle a version nobody else would answer. Returns the
    versions decided."""
    rule = copil_rule(grappe)
    decided = []
    with transaction.atomic():
        pending = LivrableVersion.objects.filter(
            livrable__plan__grappe=grappe, status=StatutVersion.SOUMISE
        )
        for version in pending.order_by("pk"):
            version = _locked(version)
            if version.status == StatutVersion.SOUMISE and _settle(
                version, user, rule.for_document(version)
            ):
                decided.append(version)
    return decided


def _settle(version, user, rule):
    """Validate or reject the (locked, submitted) version when its answers settle `rule` (the
    version's, Regle.for_document); the grappe's history and an e-mail to the chefs de projet
    say so. Returns the result or None."""
    livrable = version.livrable
    grappe = livrable.plan.grappe
    decisions = list(version.avis.filter(decision__in=DECISIVE).values_list("user", "decision"))
    approvals, rejections = rule.count(decisions)
    result = outcome(approvals, rejections, rule.voters, rule.required)
    if result is None:
        return None
    version.status = result
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_at"])
    HistoryEntry.record(
        grappe,
        user,
        "Livrable validé" if result == VALIDEE else "Livrable rejeté",
        version,
        {
            "Version": str(version.numero),
            "Approbations": approvals_label(approvals, rule.required),
            "Rejets": str(rejections),
            "Dernier avis": _person(user) if user else "— (règle du COPIL modifiée)",
        },
    )
    comments = list(
        version.avis.exclude(comment="").select_related("user").order_by("created_at", "pk")
    )
    recipients = chefs_de_projet(grappe)
    if version.uploaded_by is not None and version.uploaded_by not in recipients:
        recipients.append(version.uploaded_by)
    context = {
        "grappe": grappe,
        "livrable": livrable,
        "version": version,
        "validee": result == VALIDEE,
        "approvals": approvals,
        "approvals_label": approvals_label(approvals, rule.required),
        "rejections": rejections,
        "required": rule.required,
        "comments": comments,
        "link": absolute_url(livrable.get_absolute_url()),
    }
    label = "validé" if result == VALIDEE else "rejeté"
    subject = f"Livrable {label} : {livrable.titre}"[:150]
    transaction.on_commit(
        lambda: send_templated_mail(recipients, subject, "emails/livrable_decision.txt", context)
    )
    return result
