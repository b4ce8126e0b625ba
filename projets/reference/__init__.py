"""The plan projet type of a grappe (projets/reference/plan.toml, seed 003 adapted to a grappe
of ESMS): its phases, 18 steps, deliverables and milestones become the reference tables the
plans are built from; its cooperation risks are proposed to an empty risk register."""

from core.reference import create_missing, read
from projets.models import EtapeReference, JalonReference, LivrableReference, PhaseReference


def plan():
    return read("projets", "plan")


def risques_cooperation():
    """[{titre, categorie, description, mitigation}] (seeds 004, 001 and 000)."""
    return plan()["risques"]


def load():
    """Create the missing phases, steps, deliverables and milestones (by number, by code):
    core.reference never changes an existing row, the national admin edits them in the admin."""
    data = plan()
    phases = create_missing(
        PhaseReference,
        [
            {key: phase[key] for key in ("numero", "titre", "description")}
            for phase in data["phases"]
        ],
        "numero",
    )
    phase_ids = dict(PhaseReference.objects.values_list("numero", "pk"))
    etapes = create_missing(
        EtapeReference,
        [
            {
                key: value
                for key, value in etape.items()
                if key not in ("phase", "livrables", "jalon")
            }
            | {"phase_id": phase_ids[etape["phase"]]}
            for etape in data["etapes"]
        ],
        "numero",
    )
    etape_ids = dict(EtapeReference.objects.values_list("numero", "pk"))
    livrables = create_missing(
        LivrableReference,
        [
            livrable | {"etape_id": etape_ids[etape["numero"]], "ordre": ordre}
            for etape in data["etapes"]
            for ordre, livrable in enumerate(etape["livrables"])
        ]
        + [
            livrable | {"etape_id": None, "amoa": True, "ordre": ordre}
            for ordre, livrable in enumerate(data["livrables_amoa"])
        ],
        "code",
    )
    jalons = create_missing(
        JalonReference,
        [
            etape["jalon"] | {"etape_id": etape_ids[etape["numero"]]}
            for etape in data["etapes"]
            if "jalon" in etape
        ],
        "etape_id",
    )
    return {
        "phases du plan type": phases,
        "étapes du plan type": etapes,
        "livrables types": livrables,
        "jalons types": jalons,
    }
