"""Deliverables of a grappe's plan: the list, one deliverable with its versions and avis, upload,
download through a permission check, submission to the COPIL, avis, and the "À valider" inbox.

The collegial rule and the state changes live in projets.validation; these views check who may
do what (projets.perms) and turn refusals into French messages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from approbations import inbox as approbations_inbox
from approbations.models import Avis
from core.uploads import file_response
from grappe.models import HistoryEntry
from grappe.shortcuts import get_grappe_for
from projets import perms
from projets.enums import DecisionAvis, StatutVersion
from projets.forms.livrables import AvisForm, VersionUploadForm
from projets.models import Livrable, LivrableVersion, PhaseReference, Plan
from projets.validation import (
    DECISIVE,
    ValidationRefusee,
    approvals_label,
    copil_rule,
    record_avis,
    submit_version,
)

ATTENDU = "attendu"
STATUT_CHOICES = [(ATTENDU, "Attendu"), *StatutVersion.choices]
STATUT_BADGES = {
    ATTENDU: "text-bg-light border",
    StatutVersion.DEPOSEE: "text-bg-info",
    StatutVersion.SOUMISE: "text-bg-warning",
    StatutVersion.VALIDEE: "text-bg-success",
    StatutVersion.REJETEE: "text-bg-danger",
}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _livrable_for(grappe, livrable_id):
    """The deliverable if it belongs to the grappe's plan; 404 otherwise."""
    return get_object_or_404(
        Livrable.objects.select_related("plan", "etape", "reference"),
        pk=livrable_id,
        plan__grappe=grappe,
    )


def _version_for(livrable, version_id):
    return get_object_or_404(
        LivrableVersion.objects.select_related("uploaded_by"), pk=version_id, livrable=livrable
    )


def _livrable_url(livrable, version=None):
    url = reverse("projets:livrable", args=[livrable.plan.grappe_id, livrable.pk])
    return f"{url}#version-{version.numero}" if version is not None else url


def is_recurrent(livrable):
    """Recurrent deliverables (COPIL supports, progress reports…) get a new version each time."""
    return bool(livrable.reference_id and livrable.reference.recurrent)


def upload_blocker(livrable, versions):
    """Why no new version may be uploaded now (a French sentence), or None.
    `versions`: the deliverable's versions, latest first."""
    if any(version.status == StatutVersion.SOUMISE for version in versions):
        return (
            "Une version est en cours de validation par le COPIL : attendez sa décision avant "
            "d'en déposer une nouvelle."
        )
    if versions and versions[0].status == StatutVersion.VALIDEE and not is_recurrent(livrable):
        return (
            f"La version {versions[0].numero} est validée : elle est verrouillée et ne peut plus "
            "être remplacée."
        )
    return None


def statut_of(version):
    return version.status if version is not None else ATTENDU


def statut_label(statut):
    """A validated version is frozen: say so wherever its status shows."""
    if statut == StatutVersion.VALIDEE:
        return "Validée — verrouillée"
    return dict(STATUT_CHOICES)[statut]


# ---------------------------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------------------------


def _list_rows(request, grappe, plan):
    latest = LivrableVersion.objects.filter(livrable=OuterRef("pk")).order_by("-numero")
    livrables = list(
        plan.livrables.select_related("etape")
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
        .order_by("amoa", "etape__phase", "etape__ordre", "pk")
    )
    versions = LivrableVersion.objects.select_related("uploaded_by").in_bulk(
        [livrable.latest_id for livrable in livrables if livrable.latest_id]
    )
    rule = copil_rule(grappe)
    submitted = [pk for pk, v in versions.items() if v.status == StatutVersion.SOUMISE]
    decisions = {}
    answers = Avis.objects.for_documents(LivrableVersion, submitted).filter(decision__in=DECISIVE)
    for version_id, user_id, decision in answers.order_by("created_at", "pk").values_list(
        "object_id", "user", "decision"
    ):
        decisions.setdefault(version_id, []).append((user_id, decision))
    awaiting_me = set(
        LivrableVersion.objects.awaiting(request.user)
        .filter(livrable__plan=plan)
        .values_list("pk", flat=True)
    )
    rows = []
    for livrable in livrables:
        version = versions.get(livrable.latest_id)
        statut = statut_of(version)
        approvals = None
        if statut == StatutVersion.SOUMISE:
            version_rule = rule.for_document(version)
            approvals = approvals_label(
                version_rule.count(decisions.get(version.pk, []))[0], version_rule.required
            )
        rows.append(
            {
                "livrable": livrable,
                "version": version,
                "statut": statut,
                "statut_label": statut_label(statut),
                "badge": STATUT_BADGES[statut],
                "approvals": approvals,
                "awaiting_me": version is not None and version.pk in awaiting_me,
            }
        )
    return rows, rule


def _group(rows, phases):
    """[{numero, titre, etapes: [{etape, rows}]}] for the plan's steps, then the AMOA ones and
    those whose step was deleted."""
    groups, amoa, orphans = [], [], []
    for row in rows:
        livrable = row["livrable"]
        if livrable.amoa:
            amoa.append(row)
        elif livrable.etape is None:
            orphans.append(row)
        else:
            etape = livrable.etape
            if not groups or groups[-1]["numero"] != etape.phase:
                groups.append(
                    {"numero": etape.phase, "titre": phases.get(etape.phase, ""), "etapes": []}
                )
            etapes = groups[-1]["etapes"]
            if not etapes or etapes[-1]["etape"].pk != etape.pk:
                etapes.append({"etape": etape, "rows": []})
            etapes[-1]["rows"].append(row)
    return groups, amoa, orphans


@require_safe
def livrable_list(request, pk):
    grappe = get_grappe_for(request.user, pk)
    plan = Plan.objects.filter(grappe=grappe).first()
    can_edit = perms.can_edit_plan(request.user, grappe)
    if plan is None:
        return render(
            request,
            "projets/livrable_list.html",
            {"grappe": grappe, "plan": None, "can_edit": can_edit},
        )
    rows, rule = _list_rows(request, grappe, plan)
    counts = {value: 0 for value, _ in STATUT_CHOICES}
    for row in rows:
        counts[row["statut"]] += 1
    statut = request.GET.get("statut", "")
    if statut in counts:
        shown = [row for row in rows if row["statut"] == statut]
    else:
        statut = ""
        shown = rows
    groups, amoa, orphans = _group(
        shown, dict(PhaseReference.objects.values_list("numero", "titre"))
    )
    return render(
        request,
        "projets/livrable_list.html",
        {
            "grappe": grappe,
            "plan": plan,
            "can_edit": can_edit,
            "groups": groups,
            "amoa": amoa,
            "orphans": orphans,
            "shown": len(shown),
            "total": len(rows),
            "statut": statut,
            "statut_choices": STATUT_CHOICES,
            "summary": [
                (value, label, counts[value], STATUT_BADGES[value])
                for value, label in STATUT_CHOICES
            ],
            "rule": rule,
        },
    )


# ---------------------------------------------------------------------------------------------
# One deliverable: versions, avis, upload
# ---------------------------------------------------------------------------------------------


def _detail_response(request, grappe, livrable, upload_form=None, avis_form=None):
    user = request.user
    versions = list(
        livrable.versions.select_related("uploaded_by", "submitted_by").order_by("-numero")
    )
    answers = {}
    for answer in (
        Avis.objects.for_documents(LivrableVersion, [version.pk for version in versions])
        .select_related("user")
        .order_by("created_at", "pk")
    ):
        answers.setdefault(answer.object_id, []).append(answer)
    rule = copil_rule(grappe)
    can_edit = perms.can_edit_plan(user, grappe)
    can_give_avis = perms.can_give_avis(user, grappe)
    can_comment = can_give_avis or perms.can_comment(user, grappe)
    latest = versions[0] if versions else None
    rows = []
    for version in versions:
        avis = answers.get(version.pk, [])
        version_rule = rule.for_document(version)
        approvals, rejections = version_rule.count((a.user_id, a.decision) for a in avis)
        mine = next((a for a in avis if a.user_id == user.pk and a.decision in DECISIVE), None)
        is_submitted = version.status == StatutVersion.SOUMISE
        rows.append(
            {
                "version": version,
                "avis": avis,
                "badge": STATUT_BADGES[version.status],
                "statut_label": statut_label(version.status),
                "approvals": approvals_label(approvals, version_rule.required),
                "rejections": rejections,
                "mine": mine,
                # A voting member who deposited or submitted the version does not decide on it.
                "own": is_submitted and can_give_avis and user.pk in version_rule.authors,
                "can_submit": (
                    can_edit
                    and livrable.validation_copil
                    and version is latest
                    and version.status == StatutVersion.DEPOSEE
                ),
                "can_decide": is_submitted and version_rule.may_decide(user) and mine is None,
                "can_comment": is_submitted and can_comment,
                "avis_form": avis_form
                if avis_form is not None and is_submitted
                else AvisForm(initial={"decision": DecisionAvis.APPROUVE}),
            }
        )
    blocker = upload_blocker(livrable, versions)
    if can_edit and blocker is None and upload_form is None:
        upload_form = VersionUploadForm()
    statut = statut_of(latest)
    context = {
        "grappe": grappe,
        "livrable": livrable,
        "rows": rows,
        "latest": latest,
        "statut": statut,
        "statut_label": statut_label(statut),
        "badge": STATUT_BADGES[statut],
        "rule": rule,
        "recurrent": is_recurrent(livrable),
        "can_edit": can_edit,
        "blocker": blocker,
        "upload_form": upload_form if can_edit else None,
    }
    return render(request, "projets/livrable_detail.html", context)


def _store_version(livrable, form, user):
    """A new version numbered last + 1, under a lock on the deliverable."""
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        # (no ordering: the default one joins the nullable step, which FOR UPDATE refuses)
        list(Livrable.objects.select_for_update().filter(pk=livrable.pk).order_by().values("pk"))
        versions = list(livrable.versions.order_by("-numero").only("numero", "status"))
        blocker = upload_blocker(livrable, versions)
        if blocker:
            raise ValidationRefusee(blocker)
        version = LivrableVersion(
            livrable=livrable,
            numero=versions[0].numero + 1 if versions else 1,
            original_name=form.original_name,
            size=upload.size,
            content_type=form.content_type,
            comment=form.cleaned_data["comment"].strip(),
            uploaded_by=user,
        )
        version.file.save(form.original_name, upload, save=False)
        try:
            version.save()
        except Exception:
            version.file.delete(save=False)
            raise
        HistoryEntry.record(
            livrable.plan.grappe,
            user,
            "Dépôt d'une version de livrable",
            version,
            {"Version": str(version.numero), "Fichier": version.original_name},
        )
    return version


@require_http_methods(["GET", "HEAD", "POST"])
def livrable_detail(request, pk, livrable_id):
    grappe = get_grappe_for(request.user, pk)
    livrable = _livrable_for(grappe, livrable_id)
    if request.method != "POST":
        return _detail_response(request, grappe, livrable)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = _store_version(livrable, form, request.user)
        except ValidationRefusee as refus:
            form.add_error(None, refus.message)
        else:
            if livrable.validation_copil:
                messages.success(
                    request,
                    f"La version {version.numero} est déposée. Soumettez-la à la validation du "
                    "COPIL quand elle est prête.",
                )
            else:
                messages.success(request, f"La version {version.numero} est déposée.")
            return redirect(_livrable_url(livrable, version))
    messages.error(request, "Le fichier n'a pas été déposé : corrigez le formulaire.")
    return _detail_response(request, grappe, livrable, upload_form=form)


# ---------------------------------------------------------------------------------------------
# Download, submission, avis
# ---------------------------------------------------------------------------------------------


@require_safe
def version_download(request, pk, livrable_id, version_id):
    """The file, only to those who may see the grappe's plan; 404 to everyone else (and for a
    version of another deliverable or grappe). MEDIA_ROOT has no public URL."""
    grappe = get_grappe_for(request.user, pk)
    if not perms.can_view_plan(request.user, grappe):
        raise Http404
    livrable = _livrable_for(grappe, livrable_id)
    version = _version_for(livrable, version_id)
    return file_response(version.file, version.original_name, version.content_type)


@require_POST
def version_submit(request, pk, livrable_id, version_id):
    grappe = get_grappe_for(request.user, pk)
    livrable = _livrable_for(grappe, livrable_id)
    version = _version_for(livrable, version_id)
    if not perms.can_edit_plan(request.user, grappe):
        raise PermissionDenied
    try:
        submit_version(version, request.user)
    except ValidationRefusee as refus:
        messages.error(request, refus.message)
    else:
        messages.success(
            request,
            f"La version {version.numero} est soumise à la validation du COPIL : ses membres "
            "votants sont prévenus par e-mail.",
        )
    return redirect(_livrable_url(livrable, version))


AVIS_MESSAGES = {
    DecisionAvis.APPROUVE: "Votre approbation de la version {numero} est enregistrée.",
    DecisionAvis.REJETTE: "Votre rejet de la version {numero} est enregistré.",
    DecisionAvis.COMMENTAIRE: "Votre commentaire sur la version {numero} est enregistré.",
}


@require_POST
def version_avis(request, pk, livrable_id, version_id):
    grappe = get_grappe_for(request.user, pk)
    livrable = _livrable_for(grappe, livrable_id)
    version = _version_for(livrable, version_id)
    if request.POST.get("decision") in DECISIVE:
        allowed = perms.can_give_avis(request.user, grappe)
    else:
        allowed = perms.can_give_avis(request.user, grappe) or perms.can_comment(
            request.user, grappe
        )
    if not allowed:
        raise PermissionDenied
    form = AvisForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Votre avis n'a pas été enregistré : corrigez le formulaire.")
        return _detail_response(request, grappe, livrable, avis_form=form)
    decision = form.cleaned_data["decision"]
    try:
        record_avis(version, request.user, decision, form.cleaned_data["comment"])
    except ValidationRefusee as refus:
        messages.error(request, refus.message)
        return redirect(_livrable_url(livrable, version))
    messages.success(request, AVIS_MESSAGES[decision].format(numero=version.numero))
    version.refresh_from_db(fields=["status"])
    if version.status == StatutVersion.VALIDEE:
        messages.success(
            request,
            f"La règle du COPIL est atteinte : le livrable est validé, la version {version.numero} "
            "est verrouillée.",
        )
    elif version.status == StatutVersion.REJETEE:
        messages.warning(
            request,
            f"La validation ne peut plus être atteinte : la version {version.numero} est rejetée "
            "et retourne au chef de projet avec les commentaires.",
        )
    return redirect(_livrable_url(livrable, version))


# ---------------------------------------------------------------------------------------------
# "À valider" inbox
# ---------------------------------------------------------------------------------------------


def inbox_rows(user, today=None):
    """The versions waiting for `user`'s answer, oldest first, as rows of the "À valider" inbox
    (the deliverables' kind of approbations.inbox, registered in projets.apps)."""
    today = today or timezone.localdate()
    versions = (
        LivrableVersion.objects.awaiting(user)
        # The porteur's département: the home tells a close deadline in its working days.
        .select_related("livrable__plan__grappe__porteur__departement", "livrable__etape")
        .order_by("submitted_at", "pk")
    )
    rows = []
    for version in versions:
        livrable = version.livrable
        submitted_on = timezone.localdate(version.submitted_at) if version.submitted_at else None
        rows.append(
            {
                "kind": "Livrable",
                "grappe": livrable.plan.grappe,
                "titre": livrable.titre,
                "contexte": (
                    f"Étape {livrable.etape.ordre} — {livrable.etape.titre}"
                    if livrable.etape_id
                    else ("Mission AMOA" if livrable.amoa else "")
                ),
                "detail": f"Version {version.numero}",
                "fichier": version.original_name,
                "submitted_on": submitted_on,
                "days": (today - submitted_on).days if submitted_on else None,
                # The avis is due by the step's planned end: the step ends once its
                # deliverables are validated (an AMOA deliverable has no step, no deadline).
                "echeance": livrable.etape.planned_end if livrable.etape_id else None,
                "url": _livrable_url(livrable, version),
            }
        )
    return rows


@require_safe
def inbox(request):
    # Every kind of document registered (deliverables, minutes…), oldest submission first.
    return render(
        request,
        "projets/inbox.html",
        {"rows": approbations_inbox.rows(request.user), "today": timezone.localdate()},
    )
