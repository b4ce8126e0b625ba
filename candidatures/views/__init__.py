"""The views of the calls for projects, one module per side: the ARS's calls (campagnes), the
grappe's dossier (dossier)."""
