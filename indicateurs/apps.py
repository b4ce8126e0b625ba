from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs d'usage"

    def ready(self):
        from grappe.extensions import NavEntry, register_nav_entry
        from indicateurs import perms
        from indicateurs.tableaux import report_rows
        from indicateurs.usage_import import recompute_since
        from projets.extensions import register_mise_en_service_listener, register_usage_provider

        # The header's entries (grappe.navigation): the dashboard of the user's scope, active
        # on every page of indicateurs (the national admin's and the ARS agent's) or of the
        # grappe's indicators.
        for entry in (
            NavEntry(
                30,
                "Tableau national",
                "indicateurs:tableau_national",
                perms.shows_national_dashboard_in_header,
                prefix="/indicateurs/",
            ),
            NavEntry(
                30,
                "Tableau de bord ARS",
                "indicateurs:tableau_ars",
                perms.shows_region_dashboard_in_header,
                prefix="/indicateurs/",
            ),
            NavEntry(
                30,
                "Indicateurs",
                "indicateurs:tableau_grappe",
                perms.shows_grappe_dashboard_in_header,
                for_grappe=True,
                section=True,
            ),
        ):
            register_nav_entry(entry)
        # The projets progress report shows the latest indicators without importing this app.

        register_usage_provider(report_rows)
        # The usage targets are measured from the DUI's mise en service, recorded in projets.
        register_mise_en_service_listener(recompute_since)
