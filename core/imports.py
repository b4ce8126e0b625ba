"""Applying a checked import once (usage files, invoices, cadres de réponse, FINESS files).

Every import of the product is checked first (dry run) then applied on a click. Two clicks, two
tabs or two people may ask for the same apply at once: each request then finds the import
« vérifié » and, checking that in Python, would write it again (twice the rows, twice the
history, twice the recomputation). So the request claims the import in the database first: one
conditional UPDATE of its row from its applicable state. The database lets one of them match
(the others wait for the row's lock, then find it changed and match nothing), and the claim
holds in the transaction that writes the import: a failure rolls both back, and the import can
be applied again.
"""

from contextlib import contextmanager

from django.db import transaction

ALREADY_APPLIED = "Cet import a déjà été appliqué."


class AlreadyApplied(Exception):
    """Another request applied (or is applying) the import: nothing was written."""

    def __init__(self, message=ALREADY_APPLIED):
        super().__init__(message)
        self.message = message


@contextmanager
def applying(applicable, **claimed):
    """A transaction in which this request alone applies an import. `applicable` is the import's
    row while it may be applied (`Model.objects.filter(pk=…, statut=VERIFIE)`), `claimed` the
    fields that mark it taken (`statut=APPLIQUE`, `applique_le=now`). Raises AlreadyApplied,
    before the body runs, when the row was not applicable any more."""
    with transaction.atomic():
        if applicable.update(**claimed) != 1:
            raise AlreadyApplied
        yield
