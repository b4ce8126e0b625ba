"""What later apps add to the project's pages without projets importing them (the dependency
goes indicateurs → projets, never back): they register a provider in their AppConfig.ready()."""

# Functions (grappe, today) -> rows {"libelle", "valeur", "cible", "periode"} of the latest
# usage indicators, shown in the progress report (page and PDF).
usage_providers = []


def register_usage_provider(provider):
    if provider not in usage_providers:
        usage_providers.append(provider)
    return provider


def usage_rows(grappe, today):
    return [row for provider in usage_providers for row in provider(grappe, today)]
