"""Collegial validation by the COPIL.

Two layers:

- the rule: the engine of approbations (`outcome()`, `Regle`: who votes, how answers count,
  authors left out) — the same for deliverables, meeting minutes and application dossiers —,
  and here `copil_rule(grappe)`, which reads who votes on the grappe's COPIL and how many
  approvals it requires;
- the deliverable workflow built on it: `submit_version()` (déposée → soumise) and
  `record_avis()` (one member's approval, rejection or comment, then the outcome), both under a
  row lock so that two simultaneous answers cannot both miss the threshold.

Nobody approves their own document: the people who deposited, wrote or submitted it
(`author_ids`, projets.models.AuthoredDocument) leave its voters (`Regle.for_document`), and the
approvals it requires shrink with them, so that a unanimity never waits for an author.

Functions refuse what the state forbids by raising `ValidationRefusee` (the engine's
ApprobationRefusee: a French message for the user); who may call them is the views' business
(projets.perms).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approbations import engine
from approbations.engine import Regle, Wording, approvals_label, outcome
from approbations.inbox import awaiting_count
from core.mail import absolute_url, send_after_commit
from grappe.enums import TypeComite
from grappe.models import Comite, HistoryEntry
from projets.enums import DecisionAvis, StatutVersion
from projets.models import LivrableVersion

VALIDEE = StatutVersion.VALIDEE.value
REJETEE = StatutVersion.REJETEE.value
DECISIVE = (DecisionAvis.APPROUVE, DecisionAvis.REJETTE)

# Older code and tests name the engine's refusal after the deliverables' validation.
ValidationRefusee = engine.ApprobationRefusee

__all__ = [
    "DECISIVE",
    "REJETEE",
    "VALIDEE",
    "Regle",
    "ValidationRefusee",
    "approvals_label",
    "awaiting_count",
    "copil_rule",
    "outcome",
    "record_avis",
    "reevaluate",
    "submit_version",
]

# How a deliverable's version takes answers (approbations.engine.record).
LIVRABLE = Wording(
    decisions=tuple(DecisionAvis.values),
    author_refusal=(
        "Vous avez déposé ou soumis cette version : vous ne pouvez pas l'approuver ni la rejeter "
        "vous-même. Les autres membres votants du COPIL en décident ; vous pouvez la commenter."
    ),
    voter_refusal="Seuls les membres votants du COPIL approuvent ou rejettent un livrable.",
    already_answered=(
        "Vous avez déjà donné votre avis sur cette version ; vous pouvez encore la commenter."
    ),
    already_answered_now="Vous avez déjà donné votre avis sur cette version.",
    comment_required={
        DecisionAvis.REJETTE: "Motivez le rejet : le commentaire est obligatoire.",
        DecisionAvis.COMMENTAIRE: "Le commentaire est vide.",
    },
)


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
    """The chefs de projet of the grappe (users), as a list (Grappe.chefs_de_projet)."""
    return list(grappe.chefs_de_projet())


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
        send_after_commit(voters, subject, "emails/livrable_soumis.txt", context)
    return version


def record_avis(version, user, decision, comment=""):
    """Record `user`'s answer on a submitted version and apply the COPIL rule.

    Only submitted versions take answers; a voting member approves or rejects at most once
    (the database agrees), never a version they deposited or submitted; a rejection says why,
    comments are unlimited (approbations.engine.record). When the answer settles the rule the
    version becomes "validée" (locked) or "rejetée", the grappe's history says so and the chefs
    de projet get an e-mail with the comments. Returns the Avis.
    """
    comment = engine.clean_answer(decision, comment, LIVRABLE)
    with transaction.atomic():
        version = _locked(version)
        grappe = version.livrable.plan.grappe
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
        avis, tally = engine.record(version, user, decision, comment, rule=rule, wording=LIVRABLE)
        HistoryEntry.record(
            grappe,
            user,
            f"Avis sur un livrable : {avis.get_decision_display().lower()}",
            version,
            {"Version": str(version.numero), **({"Commentaire": comment} if comment else {})},
        )
        if tally is not None:
            _apply(version, user, rule, tally)
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
    version's, Regle.for_document). Returns the result or None."""
    return _apply(version, user, rule, engine.tally(version, rule, LIVRABLE))


def _apply(version, user, rule, tally):
    """What the count of the answers decides for the version, if anything: its status, the
    grappe's history and an e-mail to the chefs de projet. Returns the result or None."""
    result, approvals, rejections = tally.result, tally.approvals, tally.rejections
    if result is None:
        return None
    livrable = version.livrable
    grappe = livrable.plan.grappe
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
    comments = list(engine.trail(version).exclude(comment=""))
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
    send_after_commit(recipients, subject, "emails/livrable_decision.txt", context)
    return result
