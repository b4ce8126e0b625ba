"""The other grappes of the demo's Hauts-de-France call (« Généralisation ESMS numérique —
Hauts-de-France 2026 »): eight small grappes, one per territory, each of 15 to 17 ESMS run by two
organismes gestionnaires, so that the ARS agent instructs a realistic campaign.

Built with the registry demo's helpers (grappe.demo: `finess` for the check key, `Seeder.person`)
and idempotent like it: every row is looked up by its natural key (FINESS, grappe name, e-mail).
The FINESS numbers are fictitious but valid (Luhn key) and start with the département followed by
a 9, a range the registry demo does not use. The ESMS names are drawn from fixed lists, in a fixed
order, so that a second run finds the same rows."""

from dataclasses import dataclass, field
from datetime import date

from grappe.demo import finess
from grappe.enums import (
    FonctionOg,
    Hebergement,
    RoleKind,
    SituationDui,
    SourceDonnee,
    TypeProjet,
)
from grappe.models import (
    Categorie,
    Departement,
    Esms,
    EsmsMembership,
    Grappe,
    OgMembership,
    OgPerson,
    OrganismeGestionnaire,
    Role,
)
from users.models import Civilite, User

# The categories the generated ESMS take, per kind of organisme gestionnaire, in order.
CATEGORIES = {
    "pa": ["500", "500", "354", "500", "500", "354", "500", "500", "500"],
    "ph": ["183", "182", "246", "255", "448", "446", "183", "246", "448"],
}
PREFIXES = {
    "500": "EHPAD",
    "354": "SSIAD",
    "183": "IME",
    "182": "SESSAD",
    "246": "ESAT",
    "255": "MAS",
    "448": "EAM",
    "446": "SAVS",
}
NAMES = {
    "500": [
        "LES GLYCINES",
        "LE CLOS FLEURI",
        "LA ROSERAIE",
        "LES CHARMILLES",
        "LES MYOSOTIS",
        "SAINT-JOSEPH",
        "LES LILAS",
        "LA CHÊNAIE",
        "LES PRÉS VERTS",
        "LE VAL FLEURI",
        "LES BLEUETS",
        "LES TAMARIS",
        "LA CLAIRIÈRE",
        "LES AUBÉPINES",
    ],
    "183": ["LES PAPILLONS", "L'ARC-EN-CIEL", "LES COLIBRIS", "LE PHARE"],
    "182": ["LES PAPILLONS", "L'ARC-EN-CIEL", "LES COLIBRIS"],
    "246": ["LES ATELIERS DU LITTORAL", "LES JARDINS DE LA VALLÉE", "L'ENVOL", "LA PASSERELLE"],
    "255": ["LES ÉTOILES", "LE BOIS DES SOURCES", "LA MAISON DU PARC"],
    "448": ["LES TOURNESOLS", "LA FONTAINE", "LES HAUTS CHAMPS", "LE MOULIN"],
}
CAPACITES = {"500": 80, "354": 55, "183": 50, "182": 35, "246": 70, "255": 42, "448": 36, "446": 40}


@dataclass
class OgDemo:
    body: str  # FINESS EJ without its key (8 digits)
    raison_sociale: str
    statut: str
    kind: str  # "pa" or "ph": the categories of its ESMS
    count: int  # its ESMS in the grappe


@dataclass
class GrappeDemo:
    key: str
    name: str
    dep: str
    communes: list  # (code postal, commune), cycled over the ESMS
    ogs: list
    origines: str
    enjeux: str
    chef: tuple  # (e-mail, prénom, nom, fonction, civilité)
    amoa_marche: bool = False
    amoa_projet: bool = False
    territoire: str = ""
    # Sections of its dossier written otherwise than the demo's common text.
    sections: dict = field(default_factory=dict)

    @property
    def esms_count(self):
        return sum(og.count for og in self.ogs)


ASSO = "Association Loi 1901 non Reconnue d'Utilité Publique"

GRAPPES = [
    GrappeDemo(
        key="calaisis",
        name="Grappe ESMS numérique du Calaisis",
        territoire="le Calaisis",
        dep="62",
        communes=[
            ("62100", "CALAIS"),
            ("62340", "GUÎNES"),
            ("62610", "ARDRES"),
            ("62730", "MARCK"),
        ],
        ogs=[
            OgDemo("62910000", "ASSOCIATION CALAISIENNE D'ENTRAIDE", ASSO, "pa", 9),
            OgDemo("62920000", "ASSOCIATION LES GOÉLANDS DU CALAISIS", ASSO, "ph", 7),
        ],
        origines=(
            "Les deux associations partagent depuis 2021 un service de formation et un médecin "
            "coordonnateur ; elles ont signé en 2024 une convention de coopération pour les "
            "parcours des personnes handicapées vieillissantes."
        ),
        enjeux=(
            "Remplacer les dossiers papier de 16 établissements par un DUI unique, échanger par "
            "MSSanté avec le centre hospitalier de Calais et alimenter le DMP."
        ),
        chef=(
            "cheffe.projet.calaisis@demo.grappe.fr",
            "Émilie",
            "Caron",
            "Cheffe de projet DUI",
            Civilite.MADAME,
        ),
        amoa_marche=True,
    ),
    GrappeDemo(
        key="cambresis",
        name="Grappe numérique du Cambrésis",
        territoire="le Cambrésis",
        dep="59",
        communes=[
            ("59400", "CAMBRAI"),
            ("59540", "CAUDRY"),
            ("59360", "LE CATEAU-CAMBRÉSIS"),
            ("59282", "MASNIÈRES"),
        ],
        ogs=[
            OgDemo("59910000", "FONDATION DU CAMBRÉSIS", "Fondation", "pa", 8),
            OgDemo("59920000", "ASSOCIATION L'ESCAUT SOLIDAIRE", ASSO, "ph", 7),
        ],
        origines=(
            "La fondation et l'association coopèrent au sein de la communauté professionnelle "
            "territoriale de santé du Cambrésis depuis sa création."
        ),
        enjeux=(
            "Équiper 15 établissements d'un DUI, structurer le projet personnalisé et fiabiliser "
            "les transmissions avec les services d'aide à domicile."
        ),
        chef=(
            "chef.projet.cambresis@demo.grappe.fr",
            "Julien",
            "Wattiez",
            "Chef de projet systèmes d'information",
            Civilite.MONSIEUR,
        ),
    ),
    GrappeDemo(
        key="thierache",
        name="Grappe numérique de la Thiérache",
        territoire="la Thiérache",
        dep="02",
        communes=[
            ("02500", "HIRSON"),
            ("02140", "VERVINS"),
            ("02260", "LA CAPELLE"),
            ("02830", "SAINT-MICHEL"),
        ],
        ogs=[
            OgDemo("02910000", "ASSOCIATION THIÉRACHE ACCOMPAGNEMENT", ASSO, "pa", 9),
            OgDemo("02920000", "CCAS DE HIRSON", "Centre Communal d'Action Sociale", "pa", 8),
        ],
        origines=(
            "L'association et le CCAS gèrent ensemble, depuis 2022, la plateforme de répit du "
            "territoire et un pôle d'activités et de soins adaptés."
        ),
        enjeux=(
            "Doter 17 établissements ruraux d'un DUI partagé, limiter les ressaisies et ouvrir "
            "la MSSanté aux médecins traitants d'un territoire peu dense."
        ),
        chef=(
            "cheffe.projet.thierache@demo.grappe.fr",
            "Laetitia",
            "Poulain",
            "Directrice adjointe, cheffe de projet",
            Civilite.MADAME,
        ),
        amoa_projet=True,
    ),
    GrappeDemo(
        key="vimeu",
        name="Grappe numérique Vimeu – Ponthieu",
        territoire="le Vimeu et le Ponthieu",
        dep="80",
        communes=[
            ("80100", "ABBEVILLE"),
            ("80130", "FRIVILLE-ESCARBOTIN"),
            ("80230", "SAINT-VALERY-SUR-SOMME"),
            ("80120", "RUE"),
        ],
        ogs=[
            OgDemo("80910000", "ASSOCIATION LES PRÉS SALÉS", ASSO, "ph", 8),
            OgDemo(
                "80920000",
                "EHPAD PUBLICS DU PONTHIEU",
                "Établissement Social et Médico-Social Communal",
                "pa",
                7,
            ),
        ],
        origines="Les deux organismes se sont rapprochés en 2026 pour répondre à l'appel.",
        enjeux="Acquérir un DUI pour 15 établissements.",
        # What the committee's reason answers: no governance yet, no earlier cooperation.
        sections={
            "gouvernance": (
                "Les directions des deux organismes constitueront un comité de pilotage après "
                "la notification de l'ARS ; ses règles de décision seront fixées à sa première "
                "séance."
            ),
            "cooperations": (
                "Les deux organismes se sont rencontrés au printemps 2026 lors de la réunion "
                "d'information de l'ARS sur l'appel à projets."
            ),
        },
        chef=(
            "chef.projet.vimeu@demo.grappe.fr",
            "Bruno",
            "Lecomte",
            "Directeur des systèmes d'information",
            Civilite.MONSIEUR,
        ),
    ),
    GrappeDemo(
        key="beauvaisis",
        name="Grappe numérique du Beauvaisis",
        territoire="le Beauvaisis",
        dep="60",
        communes=[
            ("60000", "BEAUVAIS"),
            ("60210", "GRANDVILLIERS"),
            ("60112", "MILLY-SUR-THÉRAIN"),
            ("60650", "LACHAPELLE-AUX-POTS"),
        ],
        ogs=[
            OgDemo("60910000", "ASSOCIATION BEAUVAISIENNE POUR L'AUTONOMIE", ASSO, "pa", 8),
            OgDemo("60920000", "ASSOCIATION LES ATELIERS DU THÉRAIN", ASSO, "ph", 7),
        ],
        origines=(
            "Les deux associations partagent depuis 2020 une direction des ressources humaines "
            "et un groupement d'achats."
        ),
        enjeux=(
            "Déployer un DUI commun dans 15 établissements et l'interfacer avec l'outil de "
            "gestion des admissions du territoire."
        ),
        chef=(
            "cheffe.projet.beauvaisis@demo.grappe.fr",
            "Nathalie",
            "Dufour",
            "Cheffe de projet DUI",
            Civilite.MADAME,
        ),
    ),
    GrappeDemo(
        key="saint_quentinois",
        name="Grappe numérique du Saint-Quentinois",
        territoire="le Saint-Quentinois",
        dep="02",
        communes=[
            ("02100", "SAINT-QUENTIN"),
            ("02110", "BOHAIN-EN-VERMANDOIS"),
            ("02430", "GAUCHY"),
            ("02510", "IRON"),
        ],
        ogs=[
            OgDemo("02930000", "ASSOCIATION VERMANDOIS SOLIDARITÉS", ASSO, "ph", 8),
            OgDemo("02940000", "FONDATION SAINT-QUENTINOISE DE GÉRONTOLOGIE", "Fondation", "pa", 7),
        ],
        origines=(
            "Les deux organismes animent ensemble le dispositif d'appui à la coordination du "
            "Saint-Quentinois depuis 2021."
        ),
        enjeux="Équiper 15 établissements d'un DUI et partager les dossiers lors des transferts.",
        chef=(
            "chef.projet.saintquentin@demo.grappe.fr",
            "Olivier",
            "Mercier",
            "Chef de projet transformation numérique",
            Civilite.MONSIEUR,
        ),
    ),
    GrappeDemo(
        key="douaisis",
        name="Grappe numérique du Douaisis",
        territoire="le Douaisis",
        dep="59",
        communes=[
            ("59500", "DOUAI"),
            ("59450", "SIN-LE-NOBLE"),
            ("59119", "WAZIERS"),
            ("59151", "ARLEUX"),
        ],
        ogs=[
            OgDemo("59930000", "ASSOCIATION DOUAISIENNE D'AIDE AUX PERSONNES ÂGÉES", ASSO, "pa", 8),
            OgDemo("59940000", "ASSOCIATION LA SCARPE", ASSO, "ph", 8),
        ],
        origines=(
            "Les deux associations ont mutualisé en 2023 leur délégué à la protection des données "
            "et leur service informatique."
        ),
        enjeux=(
            "Remplacer deux logiciels vieillissants par un DUI unique dans 16 établissements et "
            "généraliser la MSSanté."
        ),
        chef=(
            "cheffe.projet.douaisis@demo.grappe.fr",
            "Sandrine",
            "Lemaire",
            "Cheffe de projet DUI",
            Civilite.MADAME,
        ),
    ),
    GrappeDemo(
        key="boulonnais",
        name="Grappe numérique du Boulonnais",
        territoire="le Boulonnais",
        dep="62",
        communes=[
            ("62200", "BOULOGNE-SUR-MER"),
            ("62480", "LE PORTEL"),
            ("62830", "SAMER"),
            ("62360", "SAINT-LÉONARD"),
        ],
        ogs=[
            OgDemo("62930000", "ASSOCIATION BOULONNAISE DES AÎNÉS", ASSO, "pa", 8),
            OgDemo("62940000", "ASSOCIATION LA CÔTE D'OPALE SOLIDAIRE", ASSO, "ph", 7),
        ],
        origines="Les deux associations partagent une équipe mobile de gériatrie depuis 2022.",
        enjeux="Doter 15 établissements d'un DUI et alimenter le DMP.",
        chef=(
            "chef.projet.boulonnais@demo.grappe.fr",
            "Mathieu",
            "Fournier",
            "Chef de projet DUI",
            Civilite.MONSIEUR,
        ),
    ),
]

# The directions of the OG, in the order of GRAPPES and of their OG (prénom, nom, civilité):
# each engages its organisme on the dossier before it is filed (candidatures.engagements).
DIRECTIONS = [
    ("Philippe", "Duquesne", Civilite.MONSIEUR),
    ("Isabelle", "Vasseur", Civilite.MADAME),
    ("Dominique", "Lheureux", Civilite.MADAME),
    ("François", "Debruyne", Civilite.MONSIEUR),
    ("Christine", "Leclercq", Civilite.MADAME),
    ("Patrick", "Hennebelle", Civilite.MONSIEUR),
    ("Véronique", "Bocquet", Civilite.MADAME),
    ("Stéphane", "Carpentier", Civilite.MONSIEUR),
    ("Marie-Hélène", "Flament", Civilite.MADAME),
    ("Yves", "Delval", Civilite.MONSIEUR),
    ("Catherine", "Ternisien", Civilite.MADAME),
    ("Laurent", "Decroix", Civilite.MONSIEUR),
    ("Anne", "Marchand", Civilite.MADAME),
    ("Gilles", "Roussel", Civilite.MONSIEUR),
    ("Sylvie", "Dewailly", Civilite.MADAME),
    ("Éric", "Brunet", Civilite.MONSIEUR),
]

# The grappes were formed in the spring, before the call opened (1 June 2026).
JOINED_ON = date(2026, 5, 4)


def _de(commune):
    return f"D'{commune}" if commune[0] in "AEIOUYÉÈ" else f"DE {commune}"


def _esms_name(cat, index, commune):
    if cat in ("354", "446"):
        return f"{PREFIXES[cat]} {_de(commune)}"
    names = NAMES[cat]
    return f"{PREFIXES[cat]} {names[index % len(names)]}"


def person(email, first_name, last_name, job_title, civilite):
    """A person of these grappes (chef de projet, OG direction). Not a demo login (the logins
    are the registry demo's people): no password is hashed, which keeps the seeding fast."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "civilite": civilite,
            "first_name": first_name,
            "last_name": last_name,
            "job_title": job_title,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def direction(og, rank, key):
    first_name, last_name, civilite = DIRECTIONS[rank % len(DIRECTIONS)]
    user = person(
        f"direction.{key}.{og.finess_ej}@demo.grappe.fr",
        first_name,
        last_name,
        "Directrice générale" if civilite == Civilite.MADAME else "Directeur général",
        civilite,
    )
    OgPerson.objects.get_or_create(og=og, user=user, defaults={"fonction": FonctionOg.DIRECTION})


def build(spec, region, aap, offset=0):
    """The grappe of `spec` on `aap`, its two OG, its ESMS and its chef de projet (found when
    they exist). Returns (grappe, chef de projet, created)."""
    departement = Departement.objects.get(code=spec.dep)
    categories = {c.code: c for c in Categorie.objects.filter(code__in=PREFIXES)}
    ogs = []
    for og_spec in spec.ogs:
        commune_cp, commune = spec.communes[len(ogs) % len(spec.communes)]
        og, _ = OrganismeGestionnaire.objects.get_or_create(
            finess_ej=finess(og_spec.body),
            defaults={
                "raison_sociale": og_spec.raison_sociale,
                "statut_juridique_libelle": og_spec.statut,
                "code_postal": commune_cp,
                "commune": commune,
                "departement": departement,
                "source": SourceDonnee.FINESS,
            },
        )
        ogs.append((og, og_spec))
    grappe, created = Grappe.objects.get_or_create(
        name=spec.name,
        defaults={
            "region": region,
            "aap": aap,
            "porteur": ogs[0][0],
            "type_projet": TypeProjet.ACQUISITION,
            "hebergement": Hebergement.HDS_EXTERNE,
            "achat_sad": True,
            "amoa_marche": spec.amoa_marche,
            "amoa_projet": spec.amoa_projet,
            "origines": spec.origines,
            "enjeux": spec.enjeux,
        },
    )
    used = {}
    for rank, (og, og_spec) in enumerate(ogs):
        direction(og, 2 * offset + rank, spec.key)
        OgMembership.objects.get_or_create(
            grappe=grappe, og=og, left_on=None, defaults={"joined_on": JOINED_ON}
        )
        for n, cat in enumerate(CATEGORIES[og_spec.kind][: og_spec.count]):
            cp, commune = spec.communes[(n + offset) % len(spec.communes)]
            index = used.get(cat, offset)
            used[cat] = index + 1
            # ET body: the OG's first four digits, then the ESMS's rank.
            esms, _ = Esms.objects.get_or_create(
                finess_et=finess(f"{og_spec.body[:4]}{n + 1:04d}"),
                defaults={
                    "og": og,
                    "raison_sociale": _esms_name(cat, index, commune),
                    "categorie": categories[cat],
                    "code_postal": cp,
                    "commune": commune,
                    "departement": departement,
                    "situation_dui": SituationDui.AUCUN,
                    "capacite": CAPACITES[cat],
                },
            )
            EsmsMembership.objects.get_or_create(
                grappe=grappe, esms=esms, left_on=None, defaults={"joined_on": JOINED_ON}
            )
    chef = person(*spec.chef)
    Role.objects.get_or_create(grappe=grappe, user=chef, kind=RoleKind.CHEF_PROJET, esms=None)
    return grappe, chef, created
