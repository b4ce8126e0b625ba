"""The signed-in person's own account pages: their API token."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from users.signals import api_token_changed


@require_http_methods(["GET", "POST"])
def jeton_api(request):
    """Create (or replace), show and revoke one's API token. Everyone signed in may hold one:
    what the API lets them do is decided by their roles, as in the pages."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "creer":
            if token is not None:
                token.delete()
            Token.objects.create(user=request.user)
            api_token_changed.send(
                sender=Token,
                user=request.user,
                action="Jeton d'API remplacé" if token is not None else "Jeton d'API créé",
            )
            messages.success(
                request,
                "Nouveau jeton créé. L'ancien, s'il existait, ne fonctionne plus.",
            )
        elif action == "revoquer" and token is not None:
            token.delete()
            api_token_changed.send(sender=Token, user=request.user, action="Jeton d'API révoqué")
            messages.success(request, "Jeton révoqué : il ne permet plus d'utiliser l'API.")
        else:
            messages.error(request, "Action inconnue.")
        return redirect("users:jeton_api")
    return render(request, "users/jeton_api.html", {"token": token})
