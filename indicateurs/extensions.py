"""What later apps add to the dashboards without indicateurs importing them (the dependency goes
finances → candidatures → indicateurs, never back): they register a provider in their
AppConfig.ready()."""

# Functions (grappes) -> {"cle", "libelle", "valeurs": {grappe_id: cell}} adding a column to the
# ARS region dashboard (page and PDF). `grappes`: the Grappe rows shown (the current page only,
# after filtering, sorting and paging, so the cost does not grow with the region; every row of
# the filtered table in the PDF), which carry only pk, name and region_id: a provider loads what
# else it needs itself, in a fixed number of queries whatever the number of grappes.
# A cell: {"texte": the French text shown, "detail": a second, smaller line or ""} and any data
# of the provider's own. A grappe missing from "valeurs" shows « — ».
# The dashboard is read by the region's ARS agents and the national admin only
# (indicateurs.perms.can_view_region): a provider showing data those people may not read has to
# leave it out itself.
region_column_providers = []


def register_region_column(provider):
    if provider not in region_column_providers:
        region_column_providers.append(provider)
    return provider


def region_columns(grappes):
    """The registered columns for these grappes, in the order of registration. A provider
    given no grappe (an empty page) answers its heading with no query."""
    grappes = list(grappes)
    return [provider(grappes) for provider in region_column_providers]
