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


# Functions (grappe, since) called once the DUI's mise en service of a grappe is recorded or
# changed: the measurement of its usage targets starts from it, so the indicators recompute the
# months from `since` (the earliest date before or after the change).
mise_en_service_listeners = []


def register_mise_en_service_listener(listener):
    if listener not in mise_en_service_listeners:
        mise_en_service_listeners.append(listener)
    return listener


def mise_en_service_changed(grappe, since):
    for listener in mise_en_service_listeners:
        listener(grappe, since)


# Functions (today) -> {kind: e-mails sent, …, "total", "echecs"}: the reminders later apps send
# with the day's (their own Rappel kinds), run by the same daily task
# (projets.reminders.send_daily_reminders).
# `labels`: {kind: French label} for the send_reminders command's report.
daily_reminders = []
daily_reminder_labels = {}


def register_daily_reminder(function, labels):
    if function not in daily_reminders:
        daily_reminders.append(function)
    daily_reminder_labels.update(labels)
    return function


# Functions (grappe, today, user) -> {"template", "context"} or None: a section later apps add to
# the progress report (page and PDF), after the usage indicators. `template` is included with
# `section` = the returned dict, so it reads `section.context`. The report is read by whoever sees
# the grappe: a provider whose data some of those people may not read answers None for them (and
# for `user` None: a report made for nobody in particular shows none of it).
report_section_providers = []


def register_report_section(provider):
    if provider not in report_section_providers:
        report_section_providers.append(provider)
    return provider


def report_sections(grappe, today, user):
    sections = (provider(grappe, today, user) for provider in report_section_providers)
    return [section for section in sections if section]


# Functions (user, grappe) -> {"template", "context"} or None, by the number of a step of the
# plan type (`EtapeReference.numero`): what a later app shows on that step's milestone, in the
# plan's table of milestones and on the COPIL's decision form (the éditeur the comité de
# sélection chose, from amoa, on step 11's: the COPIL records its go / no go on it). `template`
# is included with `extra` = the returned dict and `compact` (True in the table). A provider
# answers None when there is nothing to show or the user may not read it.
milestone_extra_providers = {}


def register_milestone_extra(numero, provider):
    providers = milestone_extra_providers.setdefault(numero, [])
    if provider not in providers:
        providers.append(provider)
    return provider


def milestone_extras(numero, user, grappe):
    extras = (provider(user, grappe) for provider in milestone_extra_providers.get(numero, []))
    return [extra for extra in extras if extra]
