from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import report


@login_not_required
@never_cache
@require_safe
def sante(request):
    """Health endpoint for monitoring: 200 when the database (and the broker, if any) answer,
    503 otherwise. No data, no details beyond the error's class."""
    result = report()
    return JsonResponse(result, status=200 if result["statut"] == "ok" else 503)
