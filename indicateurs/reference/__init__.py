"""The usage indicators of the programme (indicateurs/reference/indicateurs.toml), with the ESMS
categories each one does not apply to."""

from core.reference import create_missing, read
from grappe.models import Categorie
from indicateurs.models import Indicateur


def load():
    """Create the missing indicators (by code), with their exclusions (core.reference: an
    existing indicator is the national admin's, never changed)."""
    data = read("indicateurs", "indicateurs")
    known = set(Indicateur.objects.values_list("code", flat=True))
    sources = {
        code: exclusion for exclusion in data["exclusions"] for code in exclusion["indicateurs"]
    }
    rows = [
        indicateur | {"exclusion_source": sources[indicateur["code"]]["source"]}
        if indicateur["code"] in sources
        else indicateur
        for indicateur in data["indicateurs"]
    ]
    created = create_missing(Indicateur, rows, "code")
    for indicateur in Indicateur.objects.filter(code__in=set(sources) - known):
        agregats = sources[indicateur.code]["agregats"]
        indicateur.categories_exclues.add(*Categorie.objects.filter(agregat_code__in=agregats))
    return {"indicateurs d'usage": created}
