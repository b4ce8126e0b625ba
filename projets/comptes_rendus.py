"""Meeting minutes (comptes rendus): drafted in the product, validated by the COPIL, diffused.

Seed 000 §1.4: the minutes of the COPIL and committees are "validés par le COPIL avant diffusion
aux membres de la grappe et du Comité de suivi", within "8 jours ouvrés maximum" after the
meeting (Reunion.minutes_deadline: French public holidays, Alsace-Moselle's two more).

The workflow, one function per step, each in one transaction with the rows two people may touch
at once locked (select_for_update):

    create_draft → brouillon ──submit──▶ soumis ──record_avis (approvals meet the COPIL rule)──▶
    validé ──diffuse──▶ diffusé (e-mail with the PDF to the grappe's people and the comité de
    suivi; listed in the grappe's library)

- a voting member who requests changes sends the version back (statut "modifications"), the
  comments kept; the writer corrects it and submits it again: a new round (content["tour"],
  CompteRendu.tour), where every voter answers again (the previous rounds' answers stay, each
  with its round: approbations.Avis.tour, so the history stays readable);
- a validated version is locked: corrections make a new version (new_version), the old one stays.

The collegial rule is approbations.engine's, with projets.validation.copil_rule(): all voting
members, or the quorum set on the COPIL — less the version's writer and submitter, who do not
validate their own minutes (Regle.for_document). Functions refuse what the state forbids by
raising ValidationRefusee (a French message); who may call them is the views' business
(projets.perms).
"""

from celery import signature
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from approbations import engine
from approbations.engine import Wording
from core.mail import absolute_url, send_after_commit, send_templated_mail
from core.pdf import render_pdf
from core.text import plural
from core.working_days import (
    DELAI_COMPTES_RENDUS,
    add_working_days,
    subdivision_for,
    working_days_between,
)
from grappe.enums import TypeComite
from grappe.models import ComiteMember, Role
from projets import perms
from projets.enums import AvisCompteRendu, StatutCompteRendu
from projets.models import CompteRendu, Reunion
from projets.services import record_meeting_history
from projets.validation import (
    VALIDEE,
    ValidationRefusee,
    approvals_label,
    chefs_de_projet,
    copil_rule,
    deciding_voters,
)

BROUILLON = StatutCompteRendu.BROUILLON
SOUMIS = StatutCompteRendu.SOUMIS
MODIFICATIONS = StatutCompteRendu.MODIFICATIONS
VALIDE = StatutCompteRendu.VALIDE
DIFFUSE = StatutCompteRendu.DIFFUSE

OPEN = (BROUILLON, SOUMIS, MODIFICATIONS)
LOCKED = (VALIDE, DIFFUSE)

APPROUVE = AvisCompteRendu.APPROUVE
DIFFUSION_TASK = "projets.tasks.send_compte_rendu_diffusion"
DEMANDE_MODIFICATIONS = AvisCompteRendu.MODIFICATIONS

# The deadline of seed 000 §1.4, in working days after the meeting (Reunion.minutes_deadline).
DELAI_JOURS_OUVRES = DELAI_COMPTES_RENDUS

# How minutes take answers (approbations.engine.record): approve or request changes, both
# decisive, so only the version's voters answer, once a round.
COMPTE_RENDU = Wording(
    decisions=tuple(AvisCompteRendu.values),
    approve=APPROUVE,
    reject=DEMANDE_MODIFICATIONS,
    author_refusal=(
        "Vous avez rédigé ou soumis ce compte rendu : vous ne pouvez pas le valider ni demander "
        "de modifications vous-même. Les autres membres votants du COPIL en décident."
    ),
    voter_refusal="Seuls les membres votants du COPIL de cette grappe valident ses comptes rendus.",
    already_answered="Vous avez déjà donné votre avis sur cette version.",
    already_answered_now="Vous avez déjà donné votre avis sur cette version.",
    comment_required={
        DEMANDE_MODIFICATIONS: (
            "Dites ce qu'il faut modifier : le commentaire est obligatoire pour demander des "
            "modifications."
        )
    },
)


class CompteRenduOuvert(ValidationRefusee):
    """A version of the minutes is already being written or validated: work on that one."""

    def __init__(self, compte_rendu):
        super().__init__(
            f"La version {compte_rendu.numero} du compte rendu est en cours "
            f"(« {compte_rendu.get_statut_display().lower()} ») : elle seule peut être modifiée."
        )
        self.compte_rendu = compte_rendu


def person(user):
    if user is None:
        return "Compte supprimé"
    return user.get_full_name() or user.email


# ---------------------------------------------------------------------------------------------
# Content: what the minutes say (live from the meeting for a draft, frozen once submitted)
# ---------------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def snapshot(reunion, synthese=""):
    """The minutes' content as plain JSON: the meeting, its attendance with presence, the agenda
    points with their discussion, the decisions, the actions (owner, due date, status) and the
    synthèse. Frozen into CompteRendu.content when a version is submitted."""
    # The grappe's people by name, then the outside guests.
    participants = reunion.participants.select_related("user").order_by(
        models.F("user__last_name").asc(nulls_last=True), "user__first_name", "name", "pk"
    )
    points = reunion.points.order_by("ordre", "pk")
    decisions = reunion.decisions.select_related("point", "jalon").order_by("pk")
    actions = reunion.actions.select_related("owner").order_by(
        models.F("due_on").asc(nulls_last=True), "pk"
    )
    return {
        "reunion": {
            "titre": reunion.titre,
            "instance": reunion.get_kind_display(),
            "debut": _iso(reunion.starts_at),
            "fin": _iso(reunion.ends_at),
            "lieu": reunion.lieu,
            "lien_visio": reunion.lien_visio,
        },
        "participants": [
            {
                "nom": person(participant.user) if participant.user_id else participant.name,
                "email": participant.address,
                "externe": not participant.user_id,
                "presence": participant.presence,
                "presence_label": participant.presence_label(),
            }
            for participant in participants
        ],
        "points": [
            {
                "ordre": point.ordre,
                "titre": point.titre,
                "presente_par": point.presenter,
                "discussion": point.discussion,
            }
            for point in points
        ],
        "decisions": [
            {
                "texte": decision.texte,
                "point": str(decision.point) if decision.point_id else "",
                "jalon": decision.jalon.titre if decision.jalon_id else "",
                "jalon_decision": decision.get_jalon_decision_display()
                if decision.jalon_decision
                else "",
            }
            for decision in decisions
        ],
        "actions": [
            {
                "titre": action.titre,
                "responsable": person(action.owner) if action.owner_id else "",
                "echeance": _iso(action.due_on),
                "statut": action.statut,
                "statut_label": action.get_statut_display(),
            }
            for action in actions
        ],
        "synthese": synthese,
    }


def _as_datetime(value):
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(parsed) if parsed and timezone.is_aware(parsed) else parsed


def for_display(content):
    """A copy of a content dict with its dates as date/datetime objects, for the templates."""
    content = dict(content or {})
    reunion = dict(content.get("reunion") or {})
    for key in ("debut", "fin"):
        reunion[key] = _as_datetime(reunion.get(key))
    content["reunion"] = reunion
    content["actions"] = [
        {**action, "echeance": parse_date(action["echeance"]) if action.get("echeance") else None}
        for action in content.get("actions") or []
    ]
    content["avis_precedents"] = [
        {**avis, "le": _as_datetime(avis.get("le"))} for avis in content.get("avis_precedents", [])
    ]
    validation = content.get("validation")
    if validation:
        content["validation"] = {
            **validation,
            "le": _as_datetime(validation.get("le")),
            "approbations": [
                {**row, "le": _as_datetime(row.get("le"))}
                for row in validation.get("approbations", [])
            ],
        }
    for key in ("participants", "points", "decisions"):
        content.setdefault(key, [])
    return content


def content_of(cr, reunion=None):
    """What a version says, ready for display: live from the meeting while it is being written
    (brouillon, modifications demandées), the frozen snapshot once submitted."""
    if cr.is_editable:
        live = snapshot(reunion or cr.reunion, cr.synthese)
        stored = cr.content or {}
        for key in ("avis_precedents", "tour"):
            if key in stored:
                live[key] = stored[key]
        return for_display(live)
    return for_display(cr.content)


# ---------------------------------------------------------------------------------------------
# The deadline: 8 working days after the meeting
# ---------------------------------------------------------------------------------------------


def subdivision(grappe):
    """The holidays calendar of the grappe: its porteur's département (Alsace-Moselle…)."""
    porteur = grappe.porteur
    return subdivision_for(porteur.departement) if porteur and porteur.departement_id else None


def _jours(count):
    return plural(count, "jour ouvré", "jours ouvrés")


def late_minutes(reunions, today):
    """{grappe id: number of meetings whose minutes are late} among `reunions` (a Reunion
    queryset), in two queries: the meetings that still owe their minutes (Reunion.minutes_owed,
    the reminders' rule) past their deadline of DELAI_JOURS_OUVRES working days."""
    late = {}
    meetings = (
        reunions.owing_minutes_candidates(today)
        .select_related("grappe__porteur__departement")
        .order_by()
    )
    for reunion in meetings:
        if reunion.minutes_owed()[0] and today > reunion.minutes_deadline():
            late[reunion.grappe_id] = late.get(reunion.grappe_id, 0) + 1
    return late


def deadline_status(reunion, cr=None, today=None):
    """The deadline of the minutes and where the version stands, with a French sentence.

    {"deadline", "applies", "late", "days_left", "days_late", "label"}. The deadline concerns
    the first version; a corrective version (numero > 1) is not late by definition.
    """
    today = today or timezone.localdate()
    deadline = reunion.minutes_deadline()
    subdiv = subdivision(reunion.grappe)
    info = {
        "deadline": deadline,
        "applies": True,
        "late": False,
        "days_left": None,
        "days_late": None,
        "label": "",
    }
    if cr is not None and cr.numero > 1:
        info["applies"] = False
        info["label"] = (
            f"Version corrective : le délai de {DELAI_JOURS_OUVRES} jours ouvrés concernait la "
            f"première version (au plus tard le {deadline:%d/%m/%Y})."
        )
        return info
    if cr is not None and cr.first_submitted_at:
        submitted_on = timezone.localdate(cr.first_submitted_at)
        if submitted_on > deadline:
            days = working_days_between(deadline, submitted_on, subdiv)
            info.update(late=True, days_late=days)
            info["label"] = (
                f"Transmis au COPIL le {submitted_on:%d/%m/%Y}, en retard de {_jours(days)} "
                f"(au plus tard le {deadline:%d/%m/%Y})."
                if days
                else f"Transmis au COPIL le {submitted_on:%d/%m/%Y}, après l'échéance du "
                f"{deadline:%d/%m/%Y}."
            )
        else:
            info["label"] = (
                f"Transmis au COPIL le {submitted_on:%d/%m/%Y}, dans le délai "
                f"(au plus tard le {deadline:%d/%m/%Y})."
            )
        return info
    if today <= deadline:
        days = working_days_between(today, deadline, subdiv)
        info["days_left"] = days
        when = "aujourd'hui" if today == deadline else f"dans {_jours(days)}"
        info["label"] = f"À transmettre au plus tard le {deadline:%d/%m/%Y}, {when}."
    else:
        days = working_days_between(deadline, today, subdiv)
        info.update(late=True, days_late=days)
        info["label"] = (
            f"En retard de {_jours(days)} : à transmettre au plus tard le {deadline:%d/%m/%Y}."
            if days
            else f"En retard : l'échéance du {deadline:%d/%m/%Y} est dépassée."
        )
    return info


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _locked(cr):
    """The version re-read under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return (
        CompteRendu.objects.select_for_update(of=("self",))
        .select_related("reunion__grappe__porteur__departement", "redige_par")
        .order_by()
        .get(pk=cr.pk)
    )


def _locked_reunion(reunion):
    return (
        Reunion.objects.select_for_update(of=("self",))
        .select_related("grappe__porteur__departement")
        .order_by()
        .get(pk=reunion.pk)
    )


def latest_version(reunion):
    return CompteRendu.objects.filter(reunion=reunion).order_by("-numero").first()


def writers(cr, grappe):
    """Who is told about the minutes' progress: the writer, else the chefs de projet."""
    if cr is not None and cr.redige_par_id and cr.redige_par.is_active:
        return [cr.redige_par]
    return chefs_de_projet(grappe)


def diffusion_recipients(grappe, reunion):
    """The grappe's members — its people (any role) and the COPIL's members, who may hold no
    role — and the members of its comité de suivi, once each; never those `reunion` is hidden
    from (the comité de sélection's minutes, for the grappe's AMOA consultant)."""
    role_holders = Role.objects.filter(grappe=grappe).values("user_id")
    suivi = ComiteMember.objects.filter(
        comite__grappe=grappe, comite__kind__in=[TypeComite.COPIL, TypeComite.SUIVI]
    ).values("user_id")
    people = (
        get_user_model()
        .objects.filter(models.Q(pk__in=role_holders) | models.Q(pk__in=suivi))
        .filter(is_active=True)
        .exclude(email="")
        .order_by("last_name", "first_name", "email")
    )
    return perms.readers_among(people, reunion)


def cr_url(cr):
    return reverse("projets:compte_rendu", args=[cr.reunion.grappe_id, cr.reunion_id, cr.pk])


def _label(cr):
    return f"{cr.reunion.titre} du {timezone.localtime(cr.reunion.starts_at):%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# The workflow
# ---------------------------------------------------------------------------------------------


def _new(reunion, user, previous):
    cr = CompteRendu.objects.create(
        reunion=reunion,
        numero=previous.numero + 1 if previous else 1,
        statut=BROUILLON,
        synthese=previous.synthese if previous else "",
        redige_par=user,
    )
    if previous:
        record_meeting_history(
            reunion,
            user,
            "Nouvelle version du compte rendu",
            cr,
            {"Version": str(cr.numero), "Corrige la version": str(previous.numero)},
        )
    else:
        record_meeting_history(
            reunion, user, "Rédaction du compte rendu commencée", cr, {"Version": "1"}
        )
    return cr


def create_draft(reunion, user):
    """Start writing the minutes of `reunion`: version 1, or — when the last version is
    validated — the next version, a draft with the same synthèse. Refused (CompteRenduOuvert)
    while a version is being written or validated. Returns the draft."""
    with transaction.atomic():
        reunion = _locked_reunion(reunion)
        latest = latest_version(reunion)
        if latest is not None and not latest.locked:
            raise CompteRenduOuvert(latest)
        return _new(reunion, user, latest)


def new_version(cr, user):
    """Correct a validated (locked) version: a new draft numbered last + 1, the synthèse copied;
    the validated version stays as it was, visible in the history. Returns the new draft."""
    with transaction.atomic():
        reunion = _locked_reunion(cr.reunion)
        cr = CompteRendu.objects.get(pk=cr.pk)
        if not cr.locked:
            raise ValidationRefusee(
                f"La version {cr.numero} n'est pas validée : modifiez-la directement, une "
                "nouvelle version ne corrige qu'un compte rendu validé."
            )
        latest = latest_version(reunion)
        if latest.pk != cr.pk:
            if not latest.locked:
                raise CompteRenduOuvert(latest)
            raise ValidationRefusee(
                f"La version {latest.numero} est plus récente : c'est elle qu'il faut corriger."
            )
        return _new(reunion, user, cr)


def save_draft(cr, user, synthese, discussions):
    """Save what the writer typed: the synthèse, and {agenda point id: discussion} for the
    meeting's points. Only a draft (or a version sent back for changes) is written. Returns the
    list of what changed (French labels), recorded in the grappe's history."""
    synthese = (synthese or "").strip()
    with transaction.atomic():
        cr = _locked(cr)
        if not cr.is_editable:
            raise ValidationRefusee(
                f"La version {cr.numero} est « {cr.get_statut_display().lower()} » : elle ne "
                "peut plus être modifiée."
            )
        changed = []
        if cr.synthese != synthese:
            cr.synthese = synthese
            cr.save(update_fields=["synthese"])
            changed.append("synthèse")
        points = cr.reunion.points.filter(pk__in=list(discussions)).order_by("ordre", "pk")
        for point in points:
            text = (discussions[point.pk] or "").strip()
            if point.discussion != text:
                point.discussion = text
                point.save(update_fields=["discussion"])
                changed.append(f"échanges du point {point.ordre}")
        if changed:
            record_meeting_history(
                cr.reunion,
                user,
                "Compte rendu modifié",
                cr,
                {"Version": str(cr.numero), "Modifié": ", ".join(changed)},
            )
    return changed


def submit(cr, user):
    """Submit a draft (or a version sent back for changes) to the COPIL: its content is frozen,
    its status "soumis", and every voting member but its writer and `user`, who submits it,
    gets an e-mail with a direct link. A version submitted again starts a new round: the
    previous answers stay with their round and every voter answers again. Refused when no
    voter is left to decide. Returns the version."""
    with transaction.atomic():
        cr = _locked(cr)
        reunion = cr.reunion
        grappe = reunion.grappe
        if not cr.is_editable:
            raise ValidationRefusee(
                f"La version {cr.numero} est « {cr.get_statut_display().lower()} » : seul un "
                "brouillon (ou une version à modifier) est soumis au COPIL."
            )
        latest = latest_version(reunion)
        if latest.pk != cr.pk:
            raise ValidationRefusee("Seule la dernière version du compte rendu peut être soumise.")
        if reunion.starts_at > timezone.now():
            raise ValidationRefusee(
                "La réunion n'a pas encore eu lieu : son compte rendu ne peut pas être soumis."
            )
        cr.submitted_by = user
        voters = deciding_voters(grappe, cr, ("un compte rendu", "ce compte rendu", "le"))
        stored = cr.content or {}
        tour = stored.get("tour", 0)
        content = snapshot(reunion, cr.synthese)
        content["tour"] = tour + 1
        if stored.get("avis_precedents"):
            # Answers archived before the rounds were kept as rows, whose author could not be
            # found again (projets migration 0009): still shown with the previous rounds.
            content["avis_precedents"] = stored["avis_precedents"]
        cr.content = content
        cr.statut = SOUMIS
        cr.submitted_at = timezone.now()
        cr.first_submitted_at = cr.first_submitted_at or cr.submitted_at
        cr.save(
            update_fields=[
                "content",
                "statut",
                "submitted_at",
                "submitted_by",
                "first_submitted_at",
            ]
        )
        record_meeting_history(
            reunion,
            user,
            "Compte rendu soumis à la validation du COPIL",
            cr,
            {"Version": str(cr.numero), **({"Tour": str(tour + 1)} if tour else {})},
        )
        context = {
            "grappe": grappe,
            "reunion": reunion,
            "compte_rendu": cr,
            "submitted_by": person(user),
            "resubmitted": bool(tour),
            "deadline": deadline_status(reunion, cr),
            "link": absolute_url(cr_url(cr)),
            "inbox_link": absolute_url(reverse("projets:inbox")),
        }
        subject = f"À valider : compte rendu — {_label(cr)}"[:150]
        readers = perms.readers_among(voters, reunion)
        send_after_commit(readers, subject, "emails/compte_rendu_soumis.txt", context)
    return cr


def record_avis(cr, user, decision, comment=""):
    """Record a voting COPIL member's answer on a submitted version.

    "modifications" needs a comment and sends the version back to its writer at once (statut
    "modifications", the comments kept and e-mailed). Approvals are counted with the COPIL's
    rule (approbations.engine: all voting members, or the quorum, the version's writer and
    submitter left out): when it is met the version is validated (locked) and diffused.
    Each member answers once per round, never on minutes they wrote or submitted. Returns the
    Avis.
    """
    comment = engine.clean_answer(decision, comment, COMPTE_RENDU)
    with transaction.atomic():
        cr = _locked(cr)
        reunion = cr.reunion
        if cr.locked:
            raise ValidationRefusee(
                f"La version {cr.numero} est validée et verrouillée : elle ne reçoit plus d'avis."
            )
        if cr.statut != SOUMIS:
            raise ValidationRefusee(
                f"La version {cr.numero} n'est pas soumise à la validation du COPIL : elle ne "
                "reçoit pas d'avis."
            )
        rule = copil_rule(reunion.grappe).for_document(cr)
        avis, tally = engine.record(cr, user, decision, comment, rule=rule, wording=COMPTE_RENDU)
        record_meeting_history(
            reunion,
            user,
            f"Avis sur un compte rendu : {avis.get_decision_display().lower()}",
            cr,
            {"Version": str(cr.numero), **({"Commentaire": comment} if comment else {})},
        )
        if decision == DEMANDE_MODIFICATIONS:
            _send_back(cr, user, avis)
        elif tally.result == VALIDEE:
            _validate(cr, user, rule, tally.approvals)
            diffuse(cr, user)
    return avis


def reevaluate(grappe, user=None):
    """Apply the COPIL rule again to the grappe's submitted minutes (a seat removed, a quorum
    lowered, an account deactivated): those it now validates are validated and diffused.
    Returns them."""
    grappe_rule = copil_rule(grappe)
    decided = []
    with transaction.atomic():
        pending = CompteRendu.objects.filter(reunion__grappe=grappe, statut=SOUMIS)
        for cr in pending.order_by("pk"):
            cr = _locked(cr)
            if cr.statut != SOUMIS:
                continue
            rule = grappe_rule.for_document(cr)
            tally = engine.tally(cr, rule, COMPTE_RENDU)
            if tally.result == VALIDEE:
                _validate(cr, user, rule, tally.approvals)
                diffuse(cr, user)
                decided.append(cr)
    return decided


def _send_back(cr, user, avis):
    reunion = cr.reunion
    grappe = reunion.grappe
    cr.statut = MODIFICATIONS
    cr.save(update_fields=["statut"])
    record_meeting_history(
        reunion,
        user,
        "Compte rendu renvoyé pour modifications",
        cr,
        {"Version": str(cr.numero), "Demandé par": person(user), "Commentaire": avis.comment},
    )
    comments = list(engine.current_answers(cr).exclude(comment=""))
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "compte_rendu": cr,
        "requested_by": person(user),
        "comments": comments,
        "deadline": deadline_status(reunion, cr),
        "link": absolute_url(
            reverse("projets:compte_rendu_edit", args=[grappe.pk, reunion.pk, cr.pk])
        ),
    }
    recipients = perms.readers_among(writers(cr, grappe), reunion)
    subject = f"Modifications demandées : compte rendu — {_label(cr)}"[:150]
    send_after_commit(recipients, subject, "emails/compte_rendu_modifications.txt", context)


def rule_label(rule):
    """The rule in words, for the page and the validated PDF; `rule` is the version's
    (Regle.for_document): an author who votes on the COPIL is said to be left out."""
    if not rule.voters:
        if rule.authors:
            return "le COPIL n'a pas d'autre membre votant que l'auteur du compte rendu"
        return "le COPIL n'a encore aucun membre votant"
    besides = ", hors auteur du compte rendu" if rule.authors else ""
    if rule.required == rule.voters:
        return f"approbation de tous les membres votants du COPIL, soit {rule.voters}{besides}"
    return (
        f"quorum de {plural(rule.required, 'approbation')} sur "
        f"{plural(rule.voters, 'membre votant', 'membres votants')} du COPIL{besides}"
    )


def _validate(cr, user, rule, approvals):
    now = timezone.now()
    rows = [
        {"nom": person(avis.user), "le": _iso(avis.created_at)}
        for avis in engine.current_answers(cr).filter(decision=APPROUVE, user__in=rule.voter_ids)
    ]
    cr.content = {
        **(cr.content or {}),
        "validation": {"le": _iso(now), "regle": rule_label(rule), "approbations": rows},
    }
    cr.statut = VALIDE
    cr.validated_at = now
    cr.save(update_fields=["content", "statut", "validated_at"])
    record_meeting_history(
        cr.reunion,
        user,
        "Compte rendu validé par le COPIL",
        cr,
        {
            "Version": str(cr.numero),
            "Approbations": approvals_label(approvals, rule.required),
            "Dernier avis": person(user) if user else "— (règle du COPIL modifiée)",
        },
    )


def diffuse(cr, user=None):
    """Diffuse a validated version: statut "diffusé", then — once the transaction is committed —
    an e-mail with the PDF attached to each person of the grappe (any role) and each member of
    the comité de suivi. The version then shows in the grappe's library. Returns the version."""
    with transaction.atomic():
        cr = _locked(cr)
        grappe = cr.reunion.grappe
        if cr.statut == DIFFUSE:
            raise ValidationRefusee(f"La version {cr.numero} est déjà diffusée.")
        if cr.statut != VALIDE:
            raise ValidationRefusee(
                "Seul un compte rendu validé par le COPIL est diffusé aux membres de la grappe "
                "et du comité de suivi."
            )
        recipients = diffusion_recipients(grappe, cr.reunion)
        cr.statut = DIFFUSE
        cr.diffused_at = timezone.now()
        cr.save(update_fields=["statut", "diffused_at"])
        record_meeting_history(
            cr.reunion,
            user,
            "Compte rendu diffusé",
            cr,
            {
                "Version": str(cr.numero),
                "Destinataires": f"{plural(len(recipients), 'personne')} : membres de la "
                "grappe et du comité de suivi",
            },
        )
        pk = cr.pk
        # Through the worker, retried if the PDF or the SMTP relay fails (projets.tasks). By
        # name: projets.tasks imports this module.
        transaction.on_commit(lambda: signature(DIFFUSION_TASK, args=(pk,)).delay(), robust=True)
    return cr


def send_diffusion(pk):
    """The diffusion e-mails of version `pk`, each with the PDF attached. Returns the count.

    Once: the moment they left is recorded, and a task delivered again (acks_late: a worker
    lost after sending, before acknowledging) finds it and sends nothing. Recorded after the
    sending, so that a failed sending is retried (projets.tasks); only a worker lost between the
    two would send twice."""
    cr = CompteRendu.objects.select_related(
        "reunion__grappe__porteur__departement", "reunion__grappe__region", "redige_par"
    ).get(pk=pk)
    if cr.diffusion_mailed_at is not None:
        return 0
    reunion = cr.reunion
    grappe = reunion.grappe
    recipients = diffusion_recipients(grappe, reunion)
    if not recipients:
        return 0
    pdf = render_compte_rendu_pdf(cr)
    context = {
        "grappe": grappe,
        "reunion": reunion,
        "compte_rendu": cr,
        "link": absolute_url(cr_url(cr)),
        "library_link": absolute_url(reverse("projets:bibliotheque", args=[grappe.pk])),
    }
    subject = f"Compte rendu validé par le COPIL — {_label(cr)}"[:150]
    sent = send_templated_mail(
        recipients,
        subject,
        "emails/compte_rendu_diffuse.txt",
        context,
        attachments=[(pdf_filename(cr), pdf, "application/pdf")],
    )
    CompteRendu.objects.filter(pk=pk).update(diffusion_mailed_at=timezone.now())
    return sent


# ---------------------------------------------------------------------------------------------
# PDF and the "À valider" inbox
# ---------------------------------------------------------------------------------------------


def pdf_filename(cr):
    day = timezone.localtime(cr.reunion.starts_at)
    return f"{slugify(f'compte-rendu-{cr.reunion.titre}-{day:%Y-%m-%d}-v{cr.numero}')}.pdf"


def trail(cr, avis=None):
    """The validation trail of a version: [(who, what, when)] from submission to diffusion."""
    rows = []
    content = cr.content or {}
    if cr.submitted_at:
        rows.append(("Soumis au COPIL", cr.submitted_at))
    validation = for_display(content).get("validation") if cr.locked else None
    if validation:
        for row in validation["approbations"]:
            rows.append((f"Approuvé par {row['nom']}", row["le"]))
    elif avis is not None:
        for row in avis:
            rows.append((f"{row.get_decision_display()} — {person(row.user)}", row.created_at))
    if cr.validated_at:
        rows.append(("Validé par le COPIL", cr.validated_at))
    if cr.diffused_at:
        rows.append(("Diffusé aux membres de la grappe et du comité de suivi", cr.diffused_at))
    return rows


def previous_rounds(cr, content=None):
    """The answers of the version's earlier rounds, grouped: [(round, [answer])], latest first;
    an answer is {tour, nom, decision_label, commentaire, le}. The rows of approbations.Avis,
    and the answers archived in the content before rounds were rows, when their author could
    not be found again (projets migration 0009). `content`: the version's, for display."""
    rounds = {}
    earlier = engine.trail(cr).filter(tour__lt=cr.tour) if cr.tour > 1 else ()
    for avis in earlier:
        rounds.setdefault(avis.tour, []).append(
            {
                "tour": avis.tour,
                "nom": person(avis.user),
                "decision": avis.decision,
                "decision_label": avis.get_decision_display(),
                "commentaire": avis.comment,
                "le": timezone.localtime(avis.created_at),
            }
        )
    archived = (content if content is not None else for_display(cr.content))["avis_precedents"]
    for avis in archived:
        rounds.setdefault(avis.get("tour", 0), []).append(avis)
    for answers in rounds.values():
        answers.sort(key=lambda avis: (avis.get("le") is None, avis.get("le") or cr.created_at))
    return sorted(rounds.items(), reverse=True)


def pdf_context(cr, today=None):
    reunion = cr.reunion
    grappe = reunion.grappe
    content = content_of(cr, reunion)
    avis = list(engine.current_answers(cr))
    return {
        "grappe": grappe,
        "reunion": reunion,
        "compte_rendu": cr,
        "content": content,
        "validation": content.get("validation") if cr.locked else None,
        "trail": trail(cr, avis),
        "deadline": deadline_status(reunion, cr, today),
        "redige_par": person(cr.redige_par) if cr.redige_par_id else "",
    }


def render_compte_rendu_pdf(cr, request=None):
    reunion = cr.reunion
    return render_pdf(
        "projets/pdf/compte_rendu.html",
        pdf_context(cr),
        request=request,
        grappe=reunion.grappe,
        title=f"Compte rendu — {_label(cr)}",
    )


def avis_deadline(cr):
    """The date the COPIL's avis on submitted minutes is due: the same delay of
    DELAI_JOURS_OUVRES working days, counted from the submission (issue 16's reading: the seed
    sets the delay for the minutes after the meeting, not for the avis). None when not
    submitted. Reads the grappe's porteur and département (select_related them)."""
    if not cr.submitted_at:
        return None
    start = timezone.localdate(cr.submitted_at)
    return add_working_days(start, DELAI_JOURS_OUVRES, subdivision(cr.reunion.grappe))


def awaiting_rows(user, today=None):
    """The minutes waiting for `user`'s avis, oldest first, as rows of the "À valider" inbox
    (same keys as projets.views.livrables.inbox_rows, so both lists can be merged)."""
    today = today or timezone.localdate()
    rows = []
    crs = (
        CompteRendu.objects.awaiting(user)
        .select_related("reunion__grappe__porteur__departement")
        .order_by("submitted_at", "pk")
    )
    for cr in crs:
        reunion = cr.reunion
        submitted_on = timezone.localdate(cr.submitted_at) if cr.submitted_at else None
        rows.append(
            {
                "kind": "Compte rendu",
                "compte_rendu": cr,
                "grappe": reunion.grappe,
                "titre": f"Compte rendu — {reunion.titre}",
                "contexte": f"{reunion.get_kind_display()} du "
                f"{timezone.localtime(reunion.starts_at):%d/%m/%Y}",
                "detail": f"Version {cr.numero}",
                "fichier": "",
                "submitted_on": submitted_on,
                "days": (today - submitted_on).days if submitted_on else None,
                "echeance": avis_deadline(cr),
                "url": cr_url(cr),
            }
        )
    return rows
