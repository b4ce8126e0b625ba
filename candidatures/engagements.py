"""Each coopérateur OG's engagement on its grappe's dossier (issue 14): the OG's direction
approves the dossier in the product; all OGs must approve before the porteur files it; a change
after an approval asks again. Built on the collegial-approval engine (approbations.engine):

- who votes: the directions (grappe.OgPerson, fonction « direction ») of the grappe's active
  coopérateur OGs, one seat per OG (two directors of one OG are one vote); all seats required;
- the round (`Candidature.tour`) approves a content, fingerprinted like a filing
  (services.snapshot → fingerprint): when the dossier changes after an approval — its sections,
  pieces, the grappe's composition, the funding it computes — the next write starts a new round
  (`new_round_if_changed`), and until then the page shows the approvals as outdated.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from approbations import engine
from approbations.enums import Decision
from approbations.models import Avis
from candidatures.enums import StatutCandidature
from candidatures.models import Candidature
from core.mail import absolute_url, send_after_commit
from grappe.enums import FonctionOg
from grappe.models import HistoryEntry, OgPerson
from projets.models import Rappel

WORDING = engine.Wording(
    decisions=(Decision.APPROUVE, Decision.REJETTE),
    author_refusal="",  # no author: a direction commits its OG (Candidature.author_ids)
    voter_refusal=(
        "Seule la direction d'un organisme gestionnaire coopérateur engage son organisme sur le "
        "dossier."
    ),
    already_answered="Votre organisme s'est déjà prononcé sur cette version du dossier.",
    already_answered_now="Vous vous êtes déjà prononcé sur cette version du dossier.",
    comment_required={
        Decision.REJETTE: "Dites pourquoi votre organisme ne s'engage pas : le commentaire est "
        "obligatoire."
    },
)


def directions(grappe):
    """The directions of the grappe's active coopérateur OGs: [OgPerson] (user, og selected)."""
    return list(
        OgPerson.objects.filter(
            fonction=FonctionOg.DIRECTION,
            og__grappe_memberships__grappe=grappe,
            og__grappe_memberships__left_on__isnull=True,
        )
        .select_related("user", "og")
        .order_by("og__raison_sociale", "user__last_name", "pk")
    )


def regle(grappe, people=None):
    """Every OG's direction votes for its OG; every OG with a direction must approve."""
    people = directions(grappe) if people is None else people
    voters = [p for p in people if p.user.is_active]
    seats = {p.user_id: f"og:{p.og_id}" for p in voters}
    return engine.Regle(frozenset(seats), len(set(seats.values())), seats=seats)


def _seat_answer(answers, og_id):
    """The first decisive answer of the OG's seat in the round, or None."""
    for avis in answers:
        if avis.siege == f"og:{og_id}" and avis.decision in (Decision.APPROUVE, Decision.REJETTE):
            return avis
    return None


def etat(candidature, fingerprint):
    """One row per active coopérateur OG: {"og", "directions" (users), "avis" (its answer in
    the round, or None), "ok"}; and whether the approvals are outdated (the dossier changed
    since: `fingerprint` is its content's today). An OG without a declared direction cannot
    approve: the national admin declares it (grappe.OgPerson)."""
    grappe = candidature.grappe
    people = directions(grappe)
    outdated = bool(candidature.engagement_empreinte) and (
        candidature.engagement_empreinte != fingerprint
    )
    answers = [] if outdated else list(engine.current_answers(candidature))
    rows = []
    for membership in grappe.active_og_memberships().order_by("og__raison_sociale"):
        og = membership.og
        avis = _seat_answer(answers, og.pk)
        rows.append(
            {
                "og": og,
                "directions": [p.user for p in people if p.og_id == og.pk],
                "avis": avis,
                "ok": avis is not None and avis.decision == Decision.APPROUVE,
            }
        )
    return rows, outdated


def new_round_if_changed(candidature, fingerprint):
    """Before writing: when the content differs from the one the round approves and somebody
    has answered, a new round starts (earlier answers stay as the trail). Returns True then."""
    if candidature.engagement_empreinte == fingerprint:
        return False
    answered = Avis.objects.for_document(candidature, candidature.tour).exists()
    if answered:
        candidature.tour += 1
    candidature.engagement_empreinte = fingerprint
    candidature.save(update_fields=["tour", "engagement_empreinte"])
    if answered:
        HistoryEntry.record(
            candidature.grappe,
            None,
            "Dossier de candidature modifié après l'engagement des OG : nouvelle approbation "
            "demandée",
            candidature.campagne,
            {"Tour": str(candidature.tour)},
        )
    return answered


def engager(candidature, user, decision, comment=""):
    """The direction `user` approves (or declines, with a reason) the dossier for its OG, in the
    current round. Refused once filed, or from anybody but a direction of a coopérateur OG.
    When every OG has approved, the chefs de projet are told. Returns the Avis."""
    from candidatures.services import fingerprint, snapshot  # noqa: PLC0415 (cycle: services imports this module)

    with transaction.atomic():
        candidature = (
            Candidature.objects.select_for_update(of=("self",))
            .select_related("grappe", "campagne__aap")
            .get(pk=candidature.pk)
        )
        if not candidature.editable:
            raise engine.ApprobationRefusee(
                f"La candidature est « {candidature.get_statut_display().lower()} » : les "
                "engagements se donnent avant le dépôt."
            )
        new_round_if_changed(candidature, fingerprint(snapshot(candidature)))
        rule = regle(candidature.grappe)
        seat = rule.seat_of(user)
        answers = engine.current_answers(candidature).filter(siege=seat).decisive()
        if seat and rule.may_decide(user) and answers.exclude(user=user).exists():
            raise engine.ApprobationRefusee(
                "Une autre personne de la direction de votre organisme s'est déjà prononcée sur "
                "cette version du dossier."
            )
        avis, tally = engine.record(
            candidature, user, decision, comment, rule=rule, wording=WORDING
        )
        og = next(p.og for p in directions(candidature.grappe) if p.user_id == user.pk)
        HistoryEntry.record(
            candidature.grappe,
            user,
            "Engagement de l'organisme sur le dossier de candidature"
            if decision == Decision.APPROUVE
            else "Refus d'engagement de l'organisme sur le dossier de candidature",
            candidature.campagne,
            {
                "Organisme": str(og),
                "Tour": str(candidature.tour),
                **({"Commentaire": avis.comment} if avis.comment else {}),
            },
        )
        if tally is not None and tally.result == engine.VALIDEE:
            _tell_porteur(candidature)
    return avis


def _tell_porteur(candidature):
    grappe = candidature.grappe
    context = {
        "candidature": candidature,
        "grappe": grappe,
        "campagne": candidature.campagne,
        "link": absolute_url(reverse("candidatures:candidature", args=[grappe.pk])),
    }
    recipients = list(grappe.chefs_de_projet())
    subject = f"Tous les organismes s'engagent : candidature de {grappe}"[:150]
    send_after_commit(recipients, subject, "emails/candidature_engagements.txt", context)


# ---------------------------------------------------------------------------------------------
# The "À valider" inbox (approbations.inbox, registered in candidatures.apps)
# ---------------------------------------------------------------------------------------------


def awaiting(user):
    """The dossiers being prepared on which `user`, a direction of one of the grappe's OGs, has
    not answered in the current round."""
    directed = OgPerson.objects.filter(
        user=user,
        fonction=FonctionOg.DIRECTION,
        og__grappe_memberships__grappe=OuterRef("grappe"),
        og__grappe_memberships__left_on__isnull=True,
    )
    answered = Avis.objects.for_model(Candidature).filter(
        object_id=OuterRef("pk"), tour=OuterRef("tour"), user=user
    )
    return (
        Candidature.objects.filter(statut__in=Candidature.EDITABLE)
        .filter(Exists(directed))
        .exclude(Exists(answered))
        .filter(Q(campagne__cloture__gt=timezone.now()) | Q(statut="incomplete"))
    )


def rows(user, today):
    dossiers = (
        awaiting(user)
        .select_related("grappe__porteur__departement", "campagne__aap")
        .order_by("updated_at")
    )
    result = []
    for dossier in dossiers:
        since = timezone.localdate(dossier.updated_at)
        result.append(
            {
                "kind": "Candidature",
                "grappe": dossier.grappe,
                "titre": f"Engagement sur la candidature — {dossier.campagne.aap.name}",
                "contexte": "Dossier de candidature de la grappe",
                "detail": f"Tour {dossier.tour}",
                "fichier": "",
                "submitted_on": since,
                "days": (today - since).days,
                # Engagements count until the call closes (awaiting() drops them after), except
                # on a dossier the ARS found incomplete, which has no closing date left.
                "echeance": (
                    timezone.localdate(dossier.campagne.cloture)
                    if dossier.campagne.cloture > timezone.now()
                    else None
                ),
                "url": reverse("candidatures:candidature", args=[dossier.grappe_id]),
            }
        )
    return result


# ---------------------------------------------------------------------------------------------
# Reminders (with the day's, projets.extensions.register_daily_reminder)
# ---------------------------------------------------------------------------------------------

RAPPEL = "engagement"
RAPPEL_JOURS_AVANT = 7  # the directions are reminded a week before the closing


def _reminder_context(kind, user, items):
    return {"items": items, "inbox_link": absolute_url(reverse("projets:inbox"))}


def send_reminders(today=None):
    """Remind each direction whose engagement a dossier still awaits when its call closes within
    RAPPEL_JOURS_AVANT days: once per round (projets.Rappel keeps what was sent)."""
    today = today or timezone.localdate()
    horizon = timezone.make_aware(
        datetime.datetime.combine(
            today + datetime.timedelta(days=RAPPEL_JOURS_AVANT + 1), datetime.time.min
        )
    )
    pending = {}
    closing_soon = (
        Candidature.objects.filter(
            statut=StatutCandidature.BROUILLON,
            campagne__cloture__gt=timezone.now(),
            campagne__cloture__lt=horizon,
        )
        .select_related("grappe", "campagne__aap")
        .order_by("pk")
    )
    for dossier in closing_soon:
        answered = {avis.siege for avis in engine.current_answers(dossier).decisive()}
        for person in directions(dossier.grappe):
            user = person.user
            if f"og:{person.og_id}" in answered or not user.is_active or not user.email:
                continue
            pending.setdefault((RAPPEL, user.pk), (user, []))[1].append(
                {
                    "key": f"candidature:{dossier.pk}:tour:{dossier.tour}",
                    "grappe": dossier.grappe,
                    "dossier": dossier,
                    "og": person.og,
                    "cloture": timezone.localtime(dossier.campagne.cloture),
                    "link": absolute_url(
                        reverse("candidatures:candidature", args=[dossier.grappe_id])
                    ),
                }
            )
    return Rappel.objects.send_new(
        pending,
        [RAPPEL],
        today,
        {RAPPEL: "Rappel : votre organisme ne s'est pas encore engagé sur une candidature"},
        {RAPPEL: "emails/rappel_engagement.txt"},
        _reminder_context,
    )
