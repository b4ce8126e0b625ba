from django.urls import path

from candidatures import views

app_name = "candidatures"

urlpatterns = [
    path("", views.campagne_list, name="campagnes"),
    path("ouvrir/", views.campagne_create, name="campagne_create"),
    path("<int:pk>/", views.campagne_detail, name="campagne"),
    path("<int:pk>/modifier/", views.campagne_edit, name="campagne_edit"),
    path("<int:pk>/criteres/", views.criteres_edit, name="criteres"),
    path("grappes/<int:pk>/candidature/", views.candidature, name="candidature"),
    path(
        "grappes/<int:pk>/candidature/rediger/",
        views.candidature_sections,
        name="candidature_sections",
    ),
]
