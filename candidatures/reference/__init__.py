"""The default content of a campaign (candidatures/reference/campagne.toml): its priority
criteria with their weights and source, and the pieces its dossier carries. Copied into a
campaign when the ARS opens it, and edited there; no table holds them."""

from core.reference import read

_CAMPAGNE = read("candidatures", "campagne")

CRITERES_SOURCE = _CAMPAGNE["criteres_source"]
DEFAULT_CRITERES = [
    (critere["libelle"], critere["description"], critere["poids"])
    for critere in _CAMPAGNE["criteres"]
]
DEFAULT_PIECES = [(piece["libelle"], piece["obligatoire"]) for piece in _CAMPAGNE["pieces"]]
