"""The registry's reference data (grappe/reference/*.toml, read by core.reference): the regions
and départements, the calls for projects with their rules, the ESMS categories of FINESS, the
éditeurs referenced at the RESAH SAD; and the convention's model texts (convention.toml, read at
run time by grappe.convention_defaults)."""

import unicodedata

from core.reference import create_missing, read


def default_sad_domains():
    """The SAD categories of a call that does not state its own."""
    return read("grappe", "aaps")["sad_domains"]


def editeur_key(name):
    """An éditeur's name compared without case, accents, punctuation or extra spaces:
    « Malta Informatique », « MALTA-INFORMATIQUE » and « malta  informatique » are one."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def load():
    """Create the missing reference rows (core.reference: an existing row is never changed)."""
    return {
        **_load_regions(),
        "catégories d'ESMS": _load_categories(),
        **_load_aaps(),
        "éditeurs référencés au SAD": _load_editeurs(),
    }


def _load_regions():
    from grappe.models import Departement, Region  # noqa: PLC0415 (cycle: grappe.models imports this module)

    data = read("grappe", "regions")
    created = create_missing(
        Region,
        [
            {
                "code": r["code"],
                "name": r["nom"],
                "ars_name": r["ars"],
                "reduced_threshold": r["seuil_reduit"],
            }
            for r in data["regions"]
        ],
        "code",
    )
    regions = dict(Region.objects.values_list("code", "pk"))
    departements = create_missing(
        Departement,
        [
            {
                "code": d["code"],
                "insee_code": d["insee"],
                "name": d["nom"],
                "region_id": regions.get(d.get("region")),  # none: overseas without an ARS
            }
            for d in data["departements"]
        ],
        "code",
    )
    return {"régions": created, "départements": departements}


def _load_categories():
    from grappe.models import Categorie  # noqa: PLC0415 (cycle: grappe.models imports this module)

    data = read("grappe", "categories")
    return create_missing(
        Categorie,
        [
            {
                "code": c["code"],
                "libelle": c["libelle"],
                "agregat_code": c["agregat"],
                "agregat_libelle": data["agregats"][c["agregat"]],
            }
            for c in data["categories"]
        ],
        "code",
    )


def _load_aaps():
    """The calls absent by name, with their tranches (a call renamed in the admin is the
    national admin's: it comes back under its reference name only if they delete it)."""
    from grappe.models import Aap, AapTranche  # noqa: PLC0415 (cycle: grappe.models imports this module)

    calls = read("grappe", "aaps")["aaps"]
    known = set(Aap.objects.values_list("name", flat=True))
    # TOML has no null: a key left out is empty, whatever the field's default (no maximum…).
    empty = {f.name: None for f in Aap._meta.concrete_fields if f.null}
    missing = [empty | call for call in calls if call["name"] not in known]
    tranches = {call["name"]: call.pop("tranches") for call in missing}
    created = Aap.objects.bulk_create([Aap(**call) for call in missing])
    AapTranche.objects.bulk_create(
        AapTranche(aap=aap, **tranche) for aap in created for tranche in tranches[aap.name]
    )
    return {
        "appels à projets": len(created),
        "tranches d'appel": sum(len(tranches[aap.name]) for aap in created),
    }


def _load_editeurs():
    from grappe.models import EditeurReference  # noqa: PLC0415 (cycle: grappe.models imports this module)

    data = read("grappe", "editeurs_sad")
    known = set(EditeurReference.objects.values_list("cle", "domaine"))
    missing = [
        EditeurReference(
            nom=e["nom"], cle=editeur_key(e["nom"]), domaine=domaine, source=e["source"]
        )
        for e in data["editeurs"]
        for domaine in e["domaines"]
        if (editeur_key(e["nom"]), domaine) not in known
    ]
    EditeurReference.objects.bulk_create(missing)
    return len(missing)
