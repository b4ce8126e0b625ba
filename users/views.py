"""The signed-in person's own account pages: their API tokens."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from users.forms import ApiTokenForm
from users.models import ApiToken


# never_cache: the page shows a new key once; neither the browser nor a proxy may keep it.
@never_cache
@require_http_methods(["GET", "POST"])
def jeton_api(request):
    """List one's API tokens and create one. Everyone signed in may hold some: what the API lets
    them do is decided by their roles, as in the pages. A new key is shown in the answer to its
    creation only: only its SHA-256 is stored, it cannot be shown again."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            _, new_key = ApiToken.objects.issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm(user=request.user)
    context = {"form": form, "tokens": request.user.api_tokens.all(), "new_key": new_key}
    return render(request, "users/jeton_api.html", context)


@never_cache
@require_POST
def revoquer_jeton(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    with transaction.atomic():
        token.revoke()
    messages.success(
        request, f"Jeton « {token.name} » révoqué : il ne permet plus d'utiliser l'API."
    )
    return redirect("users:jeton_api")
