from indicateurs import urls_donnees, urls_tableaux

app_name = "indicateurs"

# Data in (import, entry, tranches: urls_donnees) and dashboards (urls_tableaux).
urlpatterns = [*urls_donnees.urlpatterns, *urls_tableaux.urlpatterns]
