"""The OG's side of an ESMS joining a grappe: its direction agrees to or refuses the requests
made by grappes for its ESMS (grappe.services.request_join)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from grappe import perms, services
from grappe.enums import StatutAdhesion
from grappe.models import JoinRequest


@login_required
@require_safe
def join_request_list(request):
    """Requests for the ESMS of the OGs the user directs: the pending ones first, then the
    decided ones (their trace)."""
    requests = JoinRequest.objects.for_decider(request.user).select_related(
        "grappe__region", "esms__og", "requested_by", "decided_by"
    )
    pending = requests.pending().order_by("requested_at", "pk")
    decided = Paginator(requests.exclude(status=StatutAdhesion.EN_ATTENTE), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "grappe/adhesions.html", {"pending": pending, "page": decided})


@login_required
@require_POST
def join_request_decide(request, request_id):
    join_request = get_object_or_404(JoinRequest.objects.for_decider(request.user), pk=request_id)
    if not perms.can_decide_join(request.user, join_request):
        raise PermissionDenied("Seule la direction de l'organisme gestionnaire décide.")
    accept = request.POST.get("decision") == "accepter"
    if not accept and request.POST.get("decision") != "refuser":
        messages.error(request, "Choisissez d'accepter ou de refuser la demande.")
        return redirect("grappe:adhesions")
    try:
        with transaction.atomic():
            notices = services.decide_join(
                request.user, join_request, accept, request.POST.get("motif", "").strip()
            )
    except (services.JoinRefused, IntegrityError) as refusal:
        text = (
            str(refusal)
            if isinstance(refusal, services.JoinRefused)
            else "Cet ESMS vient de rejoindre une autre grappe : la demande ne peut être acceptée."
        )
        messages.error(request, text)
    else:
        for level, text in notices:
            messages.add_message(request, level, text)
    return redirect("grappe:adhesions")
