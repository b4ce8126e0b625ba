from django.apps import AppConfig


class GrappeConfig(AppConfig):
    name = "grappe"
    verbose_name = "Registre des grappes"
