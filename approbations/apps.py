from django.apps import AppConfig


class ApprobationsConfig(AppConfig):
    """Collegial approval, whatever the document: who answers, how answers count, the rounds and
    the "À valider" inbox. A bottom layer: it imports Django, core and users only; the apps with
    documents to approve (projets, candidatures) build on it and register their inbox kinds."""

    name = "approbations"
    verbose_name = "Approbations collégiales"
