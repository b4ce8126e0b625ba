from amoa import urls_cahier

app_name = "amoa"

urlpatterns = []

# The cahier des charges builder's pages (amoa/views/cahier.py).
urlpatterns += urls_cahier.urlpatterns
