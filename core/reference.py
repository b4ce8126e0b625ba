"""Reference data as data: the plan type, the calls for projects, the regions, the model texts…
live in TOML files, `<app>/reference/<name>.toml`, never in Python literals.

- `read(app, name)`: a file's content (cached), for the texts used at run time (the cahier des
  charges, the convention's templates, the grille des fonctionnalités).
- `load()`: the rows of the database's reference tables. Each app that has some gives a
  `load()` function in its `reference` package (`grappe/reference/__init__.py`…), which creates
  what is missing and returns {label: number created}; they run in the order of INSTALLED_APPS,
  the layer order (a call's indicators need the registry's categories). core imports no app:
  it finds them by name.

A loader creates what is missing, keyed by each row's natural key, and never changes an existing
row: the national admin corrects reference rows in the admin, the FINESS import refreshes the
categories, and `load()` runs after every `migrate` (post_migrate, like Django's permissions) —
writing over them would undo their work at each deployment. Changing rows that exist is a data
migration's job (it reads the file it needs, and imports no app module: migrations are history).
"""

import functools
import tomllib
from importlib import import_module
from pathlib import Path

from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor


def path(app, name):
    """`<app>/reference/<name>.toml`, found from the app's package (no app registry needed:
    a module may read its texts when it is imported)."""
    return Path(import_module(app).__file__).parent / "reference" / f"{name}.toml"


@functools.cache
def read(app, name):
    """The parsed `<app>/reference/<name>.toml`. Shared between callers: never mutate it."""
    with path(app, name).open("rb") as file:
        return tomllib.load(file)


def loaders():
    """The apps' `reference.load` functions, in the order of INSTALLED_APPS."""
    found = []
    for config in django_apps.get_app_configs():
        module_name = f"{config.name}.reference"
        if module_name == __name__:  # this module: core has no reference rows
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        if callable(getattr(module, "load", None)):
            found.append(module.load)
    return found


def load():
    """Create the missing reference rows of every app; {label: number created}, empty when the
    database already held everything. Idempotent."""
    created = {}
    with transaction.atomic():
        for loader in loaders():
            for label, count in loader().items():
                if count:
                    created[label] = created.get(label, 0) + count
    return created


def create_missing(model, rows, key):
    """bulk_create the `rows` (dicts of field values) whose `key` field is not in the table yet;
    the number created."""
    known = set(model._default_manager.values_list(key, flat=True))
    missing = [model(**row) for row in rows if row[key] not in known]
    model._default_manager.bulk_create(missing)
    return len(missing)


def fully_migrated(using=DEFAULT_DB_ALIAS):
    """True when no migration is left to apply: a `migrate` back to an older state, or of one
    app only, leaves tables or columns the loaders need missing."""
    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def load_after_migrate(sender, using=DEFAULT_DB_ALIAS, verbosity=1, stdout=None, **kwargs):
    """post_migrate receiver (connected once, for the core app: the signal is sent after every
    app is migrated, and again after a `flush`). The loaders write to the default database."""
    if using != DEFAULT_DB_ALIAS or not fully_migrated(using):
        return
    created = load()
    if created and verbosity >= 1 and stdout is not None:
        stdout.write(f"Données de référence : {describe(created)}.\n")


def describe(created):
    if not created:
        return "rien à créer, la base est à jour"
    return "créées — " + ", ".join(f"{label} : {count}" for label, count in created.items())
