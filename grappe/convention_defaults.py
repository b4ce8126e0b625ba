"""Model texts ("textes types") proposed to a grappe before it writes its own
(grappe/reference/convention.toml).

- The convention de coopération: one text per section, following the points essentiels of seed 004
  ("Structurer et formaliser le processus de coopération"), filled with the grappe's data (porteur,
  type of project, solution) so that the first draft needs editing rather than writing.
- The governance bodies: missions and modalités de fonctionnement of each type of comité.

The texts are only proposed: the views put them in empty fields, people read, adapt and save.
The perimeter of the project (each OG, its FINESS juridique and its ESMS' FINESS géographiques) is
not written here: documents render it from the grappe's live data.
"""

from core.reference import read
from grappe.enums import Hebergement, TypeComite, TypeProjet


def _texts():
    return read("grappe", "convention")


def _porteur(grappe):
    porteur = grappe.porteur
    if porteur is None:
        return _texts()["porteur_a_designer"]
    return f"{porteur.name} (FINESS juridique {porteur.finess_ej})"


def _solution(grappe):
    if grappe.solution:
        label = f"{grappe.editeur} — {grappe.solution}" if grappe.editeur else grappe.solution
        return label + (f" ({_texts()['solution_segur']})" if grappe.solution_segur else "")
    if grappe.type_projet == TypeProjet.ACQUISITION:
        return _texts()["solution_a_choisir"]
    return _texts()["a_preciser"]


def _hebergement(grappe):
    if grappe.hebergement:
        return Hebergement(grappe.hebergement).label.lower()
    return _texts()["hebergement_a_definir"]


def _values(grappe):
    """What the templates' {placeholders} stand for."""
    return {
        "grappe": grappe.name,
        "porteur": _porteur(grappe),
        "nature": TypeProjet(grappe.type_projet).label.lower(),
        "hebergement": _hebergement(grappe),
        "solution": _solution(grappe),
        "enjeux": grappe.enjeux.strip() or _texts()["enjeux_a_completer"],
    }


def convention_defaults(grappe):
    """{section field name: model text} for the grappe's convention de coopération."""
    values = _values(grappe)
    variant = "acquisition" if grappe.type_projet == TypeProjet.ACQUISITION else "autre"
    return {
        name: section["texte"].format_map(
            values | {key: texts[variant] for key, texts in section.get("variantes", {}).items()}
        )
        for name, section in _texts()["sections"].items()
    }


def comite_defaults(kind):
    """{"missions": …, "fonctionnement": …} model texts for a type of comité."""
    return dict(_texts()["comites"][TypeComite(kind).value])
