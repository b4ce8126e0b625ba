from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accueil.views import tableau_de_bord
from core.views import favicon, robots_txt, sante
from users.forms import InvitationPasswordResetForm

admin.site.site_header = "Administration de Grappe"
admin.site.site_title = "Grappe"

urlpatterns = [
    path("", tableau_de_bord, name="home"),
    path("sante/", sante, name="sante"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path(
        "connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(form_class=InvitationPasswordResetForm),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("compte/", include("users.urls")),
    path("grappes/", include("grappe.urls")),
    path("projet/", include("projets.urls")),
    path("amoa/", include("amoa.urls")),
    path("indicateurs/", include("indicateurs.urls")),
    path("appels/", include("candidatures.urls")),
    path("finances/", include("finances.urls")),
    # The API authenticates by token (DRF), not by the login page: its views opt out of
    # LoginRequiredMiddleware and DRF answers 401/403 itself.
    path("api/v1/", include("amoa.api_urls")),
    path("api/v1/", include("indicateurs.api_urls")),
    path("api/v1/", include("candidatures.api_urls")),
    path("api/v1/", include("finances.api_urls")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's init script as a file (?script): no inline script,
        # so the page works under the Content-Security-Policy.
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
