from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
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


@login_not_required
@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """A health-sector application on closed networks: no page is for search engines."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask /favicon.ico for pages without a <link rel="icon"> (PDFs, the API): the
    icon is a static SVG, so no 404 is logged for it."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
