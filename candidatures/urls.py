from django.urls import path

from candidatures.views import campagnes, dossier

app_name = "candidatures"

urlpatterns = [
    path("", campagnes.campagne_list, name="campagnes"),
    path("ouvrir/", campagnes.campagne_create, name="campagne_create"),
    path("<int:pk>/", campagnes.campagne_detail, name="campagne"),
    path("<int:pk>/modifier/", campagnes.campagne_edit, name="campagne_edit"),
    path("<int:pk>/criteres/", campagnes.criteres_edit, name="criteres"),
    path("grappes/<int:pk>/candidature/", dossier.candidature, name="candidature"),
    path(
        "grappes/<int:pk>/candidature/rediger/",
        dossier.candidature_sections,
        name="candidature_sections",
    ),
]
