"""Reference data loaded by migrations: the 18 regions with their ARS, the départements with the
codes FINESS uses (2A/2B, and 9A… for overseas), and the calls for projects of DOMAIN.md §4.

Overseas FINESS codes verified on real lines (shared/data/finess): 9A Guadeloupe (incl.
Saint-Barthélemy and Saint-Martin), 9B Martinique, 9C Guyane, 9D La Réunion, 9F Mayotte,
9J Wallis-et-Futuna. 9E Saint-Pierre-et-Miquelon follows the same pattern. Any other code met in a
FINESS file is created by the import from the file's own label, without a region.
"""

import unicodedata
from decimal import Decimal

# (INSEE code, name, ARS, reduced eligibility threshold)
REGIONS = [
    ("01", "Guadeloupe", "ARS Guadeloupe, Saint-Martin et Saint-Barthélemy", True),
    ("02", "Martinique", "ARS Martinique", True),
    ("03", "Guyane", "ARS Guyane", True),
    ("04", "La Réunion", "ARS La Réunion", True),
    ("06", "Mayotte", "ARS Mayotte", True),
    ("11", "Île-de-France", "ARS Île-de-France", False),
    ("24", "Centre-Val de Loire", "ARS Centre-Val de Loire", False),
    ("27", "Bourgogne-Franche-Comté", "ARS Bourgogne-Franche-Comté", False),
    ("28", "Normandie", "ARS Normandie", False),
    ("32", "Hauts-de-France", "ARS Hauts-de-France", False),
    ("44", "Grand Est", "ARS Grand Est", False),
    ("52", "Pays de la Loire", "ARS Pays de la Loire", False),
    ("53", "Bretagne", "ARS Bretagne", False),
    ("75", "Nouvelle-Aquitaine", "ARS Nouvelle-Aquitaine", False),
    ("76", "Occitanie", "ARS Occitanie", False),
    ("84", "Auvergne-Rhône-Alpes", "ARS Auvergne-Rhône-Alpes", False),
    ("93", "Provence-Alpes-Côte d'Azur", "ARS Provence-Alpes-Côte d'Azur", False),
    ("94", "Corse", "ARS de Corse", True),
]

# (FINESS code, INSEE code, name, region INSEE code or None)
DEPARTEMENTS = [
    ("01", "01", "Ain", "84"),
    ("02", "02", "Aisne", "32"),
    ("03", "03", "Allier", "84"),
    ("04", "04", "Alpes-de-Haute-Provence", "93"),
    ("05", "05", "Hautes-Alpes", "93"),
    ("06", "06", "Alpes-Maritimes", "93"),
    ("07", "07", "Ardèche", "84"),
    ("08", "08", "Ardennes", "44"),
    ("09", "09", "Ariège", "76"),
    ("10", "10", "Aube", "44"),
    ("11", "11", "Aude", "76"),
    ("12", "12", "Aveyron", "76"),
    ("13", "13", "Bouches-du-Rhône", "93"),
    ("14", "14", "Calvados", "28"),
    ("15", "15", "Cantal", "84"),
    ("16", "16", "Charente", "75"),
    ("17", "17", "Charente-Maritime", "75"),
    ("18", "18", "Cher", "24"),
    ("19", "19", "Corrèze", "75"),
    ("2A", "2A", "Corse-du-Sud", "94"),
    ("2B", "2B", "Haute-Corse", "94"),
    ("21", "21", "Côte-d'Or", "27"),
    ("22", "22", "Côtes-d'Armor", "53"),
    ("23", "23", "Creuse", "75"),
    ("24", "24", "Dordogne", "75"),
    ("25", "25", "Doubs", "27"),
    ("26", "26", "Drôme", "84"),
    ("27", "27", "Eure", "28"),
    ("28", "28", "Eure-et-Loir", "24"),
    ("29", "29", "Finistère", "53"),
    ("30", "30", "Gard", "76"),
    ("31", "31", "Haute-Garonne", "76"),
    ("32", "32", "Gers", "76"),
    ("33", "33", "Gironde", "75"),
    ("34", "34", "Hérault", "76"),
    ("35", "35", "Ille-et-Vilaine", "53"),
    ("36", "36", "Indre", "24"),
    ("37", "37", "Indre-et-Loire", "24"),
    ("38", "38", "Isère", "84"),
    ("39", "39", "Jura", "27"),
    ("40", "40", "Landes", "75"),
    ("41", "41", "Loir-et-Cher", "24"),
    ("42", "42", "Loire", "84"),
    ("43", "43", "Haute-Loire", "84"),
    ("44", "44", "Loire-Atlantique", "52"),
    ("45", "45", "Loiret", "24"),
    ("46", "46", "Lot", "76"),
    ("47", "47", "Lot-et-Garonne", "75"),
    ("48", "48", "Lozère", "76"),
    ("49", "49", "Maine-et-Loire", "52"),
    ("50", "50", "Manche", "28"),
    ("51", "51", "Marne", "44"),
    ("52", "52", "Haute-Marne", "44"),
    ("53", "53", "Mayenne", "52"),
    ("54", "54", "Meurthe-et-Moselle", "44"),
    ("55", "55", "Meuse", "44"),
    ("56", "56", "Morbihan", "53"),
    ("57", "57", "Moselle", "44"),
    ("58", "58", "Nièvre", "27"),
    ("59", "59", "Nord", "32"),
    ("60", "60", "Oise", "32"),
    ("61", "61", "Orne", "28"),
    ("62", "62", "Pas-de-Calais", "32"),
    ("63", "63", "Puy-de-Dôme", "84"),
    ("64", "64", "Pyrénées-Atlantiques", "75"),
    ("65", "65", "Hautes-Pyrénées", "76"),
    ("66", "66", "Pyrénées-Orientales", "76"),
    ("67", "67", "Bas-Rhin", "44"),
    ("68", "68", "Haut-Rhin", "44"),
    ("69", "69", "Rhône", "84"),
    ("70", "70", "Haute-Saône", "27"),
    ("71", "71", "Saône-et-Loire", "27"),
    ("72", "72", "Sarthe", "52"),
    ("73", "73", "Savoie", "84"),
    ("74", "74", "Haute-Savoie", "84"),
    ("75", "75", "Paris", "11"),
    ("76", "76", "Seine-Maritime", "28"),
    ("77", "77", "Seine-et-Marne", "11"),
    ("78", "78", "Yvelines", "11"),
    ("79", "79", "Deux-Sèvres", "75"),
    ("80", "80", "Somme", "32"),
    ("81", "81", "Tarn", "76"),
    ("82", "82", "Tarn-et-Garonne", "76"),
    ("83", "83", "Var", "93"),
    ("84", "84", "Vaucluse", "93"),
    ("85", "85", "Vendée", "52"),
    ("86", "86", "Vienne", "75"),
    ("87", "87", "Haute-Vienne", "75"),
    ("88", "88", "Vosges", "44"),
    ("89", "89", "Yonne", "27"),
    ("90", "90", "Territoire de Belfort", "27"),
    ("91", "91", "Essonne", "11"),
    ("92", "92", "Hauts-de-Seine", "11"),
    ("93", "93", "Seine-Saint-Denis", "11"),
    ("94", "94", "Val-de-Marne", "11"),
    ("95", "95", "Val-d'Oise", "11"),
    ("9A", "971", "Guadeloupe", "01"),
    ("9B", "972", "Martinique", "02"),
    ("9C", "973", "Guyane", "03"),
    ("9D", "974", "La Réunion", "04"),
    ("9E", "975", "Saint-Pierre-et-Miquelon", None),
    ("9F", "976", "Mayotte", "06"),
    ("9J", "986", "Wallis-et-Futuna", None),
]

SAD_DOMAINS = ["pa", "ph", "domicile"]

# Calls for projects with their rules (DOMAIN.md §4, seeds 002 and 004). Editable in the admin.
AAPS = [
    {
        "name": "Généralisation ESMS numérique 2025",
        "kind": "generalisation",
        "year": 2025,
        "min_esms": 15,
        "max_esms": None,
        "national_threshold": 50,
        "min_og": None,
        "single_og_more_than": None,
        "sad_domains": SAD_DOMAINS,
        "montant_acquisition": Decimal(12000),
        "montant_acquisition_segur": Decimal(14500),
        "montant_usages": Decimal(7000),
        "montant_conformite": Decimal(5000),
        "plafond_conformite": None,
        "seuil_petit_og": 15,
        "montant_equipement_petit_og": Decimal(20000),
        "montant_amoa_marche": Decimal(15000),
        "montant_amoa_projet": Decimal(100000),
        "amoa_small_og_only": True,
        "tranches": [(1, Decimal(50), "signature"), (2, Decimal(50), "cibles")],
    },
    {
        "name": "Amorçage — temps 1 (AAP n°1)",
        "kind": "amorcage_t1",
        "year": 2021,
        "min_esms": 15,
        "max_esms": 30,
        "national_threshold": None,
        "min_og": 3,
        "single_og_more_than": 15,
        "sad_domains": SAD_DOMAINS,
        "montant_acquisition": Decimal(25000),
        "montant_acquisition_segur": None,
        "montant_usages": Decimal(0),
        "montant_conformite": Decimal(10000),
        "plafond_conformite": 30,
        "seuil_petit_og": 15,
        "montant_equipement_petit_og": Decimal(20000),
        "montant_amoa_marche": Decimal(15000),
        "montant_amoa_projet": Decimal(100000),
        "amoa_small_og_only": False,
        "tranches": [(1, Decimal(50), "signature"), (2, Decimal(50), "cibles")],
    },
    {
        "name": "Amorçage — temps 2 (AAP n°2)",
        "kind": "amorcage_t2",
        # Seed 001 (webinaire du 8 avril 2021) : « Le 2ème temps va s'ouvrir en juin 2021 » ;
        # 2022 was a mistake, corrected by migration 0013 (AAP_SOURCES below).
        "year": 2021,
        "min_esms": 15,
        "max_esms": 49,
        "national_threshold": None,
        "min_og": None,
        "single_og_more_than": None,
        "sad_domains": SAD_DOMAINS,
        "montant_acquisition": Decimal(25000),
        "montant_acquisition_segur": None,
        "montant_usages": Decimal(0),
        "montant_conformite": Decimal(10000),
        "plafond_conformite": 30,
        "seuil_petit_og": 15,
        "montant_equipement_petit_og": Decimal(20000),
        "montant_amoa_marche": Decimal(15000),
        "montant_amoa_projet": Decimal(100000),
        "amoa_small_og_only": False,
        "tranches": [(1, Decimal(50), "signature"), (2, Decimal(50), "cibles")],
    },
]

SOURCE_AMOA_ACQUISITION = (
    "Seed 000 §1 : « Pour les projets d'acquisition, l'instruction du programme ESMS numérique "
    "prévoit deux enveloppes AMOA, l'une sur la partie « marché » et l'autre sur la partie "
    "« projet » »."
)

SOURCE_TRANCHES_AMORCAGE = (
    "Seed 000 §2.3 : « 50 % à la signature de la convention ARS / porteur », « 50 % à "
    "l'atteinte des cibles d'usages »."
)

# The temps 1 AMOA rule as migration 0011 first wrote it (migration 0013 replaces it where the
# national admin left it unchanged).
AMOA_SOURCE_AMORCAGE_T1_0011 = (
    "Seed 001 : l'AMOA fait partie des « nouveaux objets financés » du temps 2 "
    "(« accompagnement dans la procédure de marché, accompagnement au pilotage du "
    "projet ») : le temps 1 ne la finance pas."
)
# Seed 002 recalls that the call n°1 could fund an AMOA out of its 25 k€ per ESMS: what the
# temps 2 adds are the two forfait envelopes, which `finance_amoa` stands for.
AMOA_SOURCE_AMORCAGE_T1 = (
    "Seed 001 : l'AMOA fait partie des « nouveaux objets financés » du temps 2 "
    "(« accompagnement dans la procédure de marché, accompagnement au pilotage du "
    "projet ») : le temps 1 ne finance pas les enveloppes forfaitaires AMOA. Seed 002 "
    "(« Rappel - AAP N° 1 ») : « 25 k€ pour les projets d'acquisition et la possibilité de "
    "financer une Assistance à Maîtrise d'Ouvrage » — l'AMOA pouvait être prise sur la part "
    "acquisition."
)

# Rules of each call added by issue 18 (loaded by migration 0011 on top of AAPS, which
# migration 0003 loaded): the reduced threshold for Corsica and overseas with its unit, whether
# the call funds the AMOA envelopes, the payment split — each with its source. A new split only
# applies to the tranches of conventions created afterwards (indicateurs.Tranche keeps its own).
AAP_RULES = {
    "Généralisation ESMS numérique 2025": {
        "seuil_reduit": None,
        "seuil_reduit_unite": "",
        "seuil_reduit_source": (
            "Seed 004 : « En groupement de 15 ESSMS », sans exception pour la Corse ou l'outre-mer."
        ),
        "finance_amoa": True,
        "amoa_source": (
            f"{SOURCE_AMOA_ACQUISITION} Seed 004 : « AMOA / chef de projet : 15 K€ (procédure "
            "de marché public), 100 K€ (projet) »."
        ),
        "tranches": [(1, Decimal(40), "signature"), (2, Decimal(60), "cibles")],
        "tranches_source": (
            "Seed 004 : « En attente du déblocage des premiers 40 % des fonds » — répartition "
            "40 % / 60 % par défaut, à confirmer par l'ARS."
        ),
    },
    "Amorçage — temps 1 (AAP n°1)": {
        "seuil_reduit": 8,
        "seuil_reduit_unite": "esms",
        "seuil_reduit_source": (
            "DOMAIN.md §4 : « in Corsica 2 OG and 8 ESMS, per the published instruction's "
            "summary » — à confirmer."
        ),
        "finance_amoa": False,
        "amoa_source": AMOA_SOURCE_AMORCAGE_T1,
        "tranches": [(1, Decimal(50), "signature"), (2, Decimal(50), "cibles")],
        "tranches_source": SOURCE_TRANCHES_AMORCAGE,
    },
    "Amorçage — temps 2 (AAP n°2)": {
        "seuil_reduit": 8,
        "seuil_reduit_unite": "og",
        "seuil_reduit_source": (
            "Seed 002 (AAP national) : « Seuil abaissé à 8 OG pour la Corse et territoires "
            "ultramarins »."
        ),
        "finance_amoa": True,
        "amoa_source": (
            f"{SOURCE_AMOA_ACQUISITION} Seed 001 : le temps 2 finance l'« accompagnement dans "
            "la procédure de marché, accompagnement au pilotage du projet »."
        ),
        "tranches": [(1, Decimal(50), "signature"), (2, Decimal(50), "cibles")],
        "tranches_source": SOURCE_TRANCHES_AMORCAGE,
    },
}

# Where each call's dates, eligibility thresholds and barème come from (Aap.regles_source,
# loaded by migration 0013 where the national admin left it empty). The seeds' own words first;
# « par défaut, à confirmer » where no seed states the rule.
AAP_SOURCES = {
    "Généralisation ESMS numérique 2025": (
        "Seed 004 (webinaire du 9 mai 2022, généralisation) : « En groupement de 15 ESSMS » ; "
        "« ESSMS qui n'ont pas encore de DUI : Editeur (12 ou 14,5 K€ si référencé Ségur), "
        "Usages (7 K€) » ; « ESSMS qui sont déjà équipés d'un DUI : 5 K€/ESMS » ; « Pour les OG "
        "de petite taille : Equipement matériel : 20 K€ / ESMS • AMOA / chef de projet : 15 K€ "
        "(procédure de marché public), 100 K€ (projet) ». Seuil de l'appel national (50 ESMS) "
        "et année 2025 : par défaut, à confirmer."
    ),
    "Amorçage — temps 1 (AAP n°1)": (
        "Dates — seed 001 (webinaire du 8 avril 2021) : « Le 1er temps de la phase d'appel à "
        "projets (AAP) est clos (31/3/2021) dans certaines régions ou sur le point de s'achever "
        "(30/4/2021) pour d'autres » : la clôture dépend de la région. Barème — seed 002 "
        "(« Rappel - AAP N° 1 ») : « 25 k€ pour les projets d'acquisition », « 10 k€ pour les "
        "projets de mise en conformité d'une solution existante (capé à 30 structures) », "
        "« 20 k€ pour l'équipement pour les OG de moins de 15 établissements ». Seuils (au moins "
        "3 OG et 15 ESMS, ou un OG de plus de 15 ESMS ; 30 ESMS au plus) : DOMAIN.md §4, "
        "d'après le résumé de l'instruction publiée — par défaut, à confirmer."
    ),
    "Amorçage — temps 2 (AAP n°2)": (
        "Dates — seed 001 (webinaire du 8 avril 2021) : « Le 2ème temps va s'ouvrir en juin "
        "2021 » ; seed 002 : « L'instruction technique du 25 juin 2021 précise ces éléments ». "
        "Périmètre — seed 002 : « Tous les ESMS mentionnés à l'art L.312-1 du CASF sont "
        "éligibles au temps 2 de la phase d'amorçage, y compris les ESMS financés exclusivement "
        "par les CD ». Barème — repris de l'AAP n°1 (seed 002, « Rappel - AAP N° 1 » : 25 k€ en "
        "acquisition, 10 k€ en mise en conformité capé à 30 structures, 20 k€ d'équipement pour "
        "les OG de moins de 15 établissements) : le montant du temps 2 n'est pas lisible dans "
        "la présentation, par défaut, à confirmer. Seuils (15 ESMS au moins, 49 au plus) : "
        "DOMAIN.md §4 — par défaut, à confirmer."
    ),
}

# The RESAH SAD (système d'acquisition dynamique) references éditeurs per category — the
# domains of SAD_DOMAINS. For a « mise en conformité » project the OG contracts with the éditeur
# of its current solution, which must be referenced in the relevant category (seed 002). The
# seeds do not give the list (« Cette liste est transmise avec le kit de passation au moment de
# l'accès au SAD de l'OG »): the national admin keeps it in the admin (EditeurReference). The
# only éditeur the seeds name is MALTA (seed 004: « Même éditeur (MALTA) »), shared by the ESMS
# of a grappe in the making — which says nothing of its referencing: an indicative entry, to be
# checked and completed by the national admin.
SOURCE_EDITEUR_REFERENCE = (
    "Seed 002 (présentation de l'AAP amorçage n°2, ARS de Corse) : « L'OG contractualise avec "
    "l'éditeur de la solution concernée en utilisant le kit de passation. L'éditeur concerné "
    "doit être référencé dans le marché national c'est-à-dire dans la liste des éditeurs "
    "référencés par le Resah et dans la catégorie pertinente. »"
)
LISTE_INDICATIVE = "Liste indicative, à compléter par l'administration nationale."

# (name, SAD domains, source)
EDITEURS_SAD = [
    (
        "MALTA",
        SAD_DOMAINS,
        "Seed 004 : « Même éditeur (MALTA) » — éditeur cité par une grappe en constitution ; "
        "son référencement au SAD et ses catégories ne sont pas vérifiés. " + LISTE_INDICATIVE,
    ),
]


def editeur_key(name):
    """An éditeur's name compared without case, accents, punctuation or extra spaces:
    « Malta Informatique », « MALTA-INFORMATIQUE » and « malta  informatique » are one."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


# The FINESS categories of social and medico-social establishments (aggregates 41xx–46xx), so
# that an ESMS typed by hand (a valid number absent from the imported registry) can take any of
# them, before any import and whatever the imported file held. Agrégats and the
# category → agrégat association: ANS nomenclatures TRE_R65 and ASS_X10 (2024); categories: the
# active ones of TRE_R66 (JDV_J55). Labels as the FINESS file writes them where they were
# checked on real lines (shared/data/finess, demo), ANS labels otherwise: the FINESS import
# refreshes them from the file it reads (grappe.finess_import.plan_categories).
ESMS_AGREGATS = {
    "4101": "Etab.Educ.Spéciale pour Déficients Mentaux et Handicapés",
    "4102": "Etab.Educ Spéciale pour Enfants Trouble Conduite et Comport",
    "4103": "Etablissements d'Education Spéciale pour Handicapés Moteurs",
    "4104": "Etab.Education Spéciale pour Déficients Sensoriels",
    "4105": "Etablissements et Services Hébergement Enfants Handicapés",
    "4106": "Services à Domicile ou Ambulatoires pour Handicapés",
    "4107": "Etab. Expérimentaux en Faveur de l'Enfance Handicapée",
    "4301": "Etablissements et Services d'Hébergement pour Adultes Handicapés",
    "4302": "Etablissements et Services de Travail Protégé pour Adultes Handicapés",
    "4303": "Etab.et Services de Réinsertion Prof pour Adultes Handicapés",
    "4304": "Etab.Expérimentaux en Faveur des Adultes Handicapés",
    "4305": "Services de Maintien à Domicile pour Handicapés",
    "4401": "Etablissements d'Hébergement pour Personnes Âgées",
    "4402": "Services de Maintien à Domicile pour Personnes Âgées",
    "4404": "Etablissements Expérimentaux en Faveur des Personnes Âgées",
    "4501": "Etablissements de l'Aide Sociale à l'Enfance",
    "4502": "Etab.et Services du Ministère de la Justice pour Mineurs",
    "4504": "Services Concourant à la Protection de l'Enfance",
    "4505": "Etab. Expérimentaux en Faveur de l'Enfance Protégée",
    "4601": "Etablissements pour Adultes et Familles en Difficulté",
    "4602": "Autres Etablissements Sociaux d'Hébergement et d'Accueil",
    "4603": "Etablissements Expérimentaux en Faveur des Adultes",
    "4604": "Autres Etablissements médico-sociaux",
    "4605": "Etablissements et services multi-clientèles",
    "4606": "Centres de ressources",
    "4607": "Logements en Structure Collective",
    "4608": "Protection des majeurs",
    "4609": "Centres prestataires de services pr personnes cérébro-lésées",
}

# (category code, label, agrégat code)
ESMS_CATEGORIES = [
    ("183", "Institut Médico-Educatif (I.M.E.)", "4101"),
    ("188", "Etablissement pour Enfants ou Adolescents Polyhandicapés", "4101"),
    ("402", "Jardin d'enfants spécialisé", "4101"),
    ("186", "Institut Thérapeutique Éducatif et Pédagogique (I.T.E.P.)", "4102"),
    ("192", "Institut d'éducation motrice", "4103"),
    ("194", "Institut pour Déficients Visuels", "4104"),
    ("195", "Institut pour Déficients Auditifs", "4104"),
    ("196", "Institut d'Education Sensorielle Sourd/Aveugle", "4104"),
    ("238", "Centre d'Accueil Familial Spécialisé", "4105"),
    ("390", "Etablissement d'accueil temporaire d'enfants handicapés", "4105"),
    ("396", "Foyer d'hébergement pour enfants et adolescents handicapés", "4105"),
    ("182", "Service d'Éducation Spéciale et de Soins à Domicile", "4106"),
    ("189", "Centre Médico-Psycho-Pédagogique (C.M.P.P.)", "4106"),
    ("190", "Centre Action Médico-Sociale Précoce (C.A.M.S.P.)", "4106"),
    ("221", "Bureau d'aide psychologique universitaire (BAPU)", "4106"),
    ("377", "Etablissement expérimental pour enfance handicapée", "4107"),
    ("252", "Foyer d'hébergement d'adultes handicapés", "4301"),
    ("253", "Foyer d'accueil polyvalent pour adultes handicapés", "4301"),
    ("255", "Maison d'Accueil Spécialisée (M.A.S.)", "4301"),
    ("370", "Etablissement Expérimental pour personnes handicapées", "4301"),
    ("382", "Foyer de vie pour adultes handicapés", "4301"),
    ("395", "Etablissement d'accueil temporaire pour adultes handicapés", "4301"),
    ("437", "Foyer d'accueil médicalisé pour adultes handicapés (FAM)", "4301"),
    ("448", "Etablissement d'Accueil Médicalisé en tout ou partie personnes handicapées", "4301"),
    ("449", "Etablissement d'Accueil Non Médicalisé pour personnes handicapées", "4301"),
    ("246", "Etablissement et Service d'Aide par le Travail (E.S.A.T.)", "4302"),
    ("247", "Entreprise adaptée", "4302"),
    ("198", "Établissement et Service de Préorientation", "4303"),
    ("249", "Établissement et Service de Réadaptation Professionnelle", "4303"),
    ("379", "Etablissement Expérimental pour Adultes Handicapés", "4304"),
    ("445", "Service d'accompagnement médico-social pour adultes handicapés", "4305"),
    ("446", "Service d'Accompagnement à la Vie Sociale (S.A.V.S.)", "4305"),
    ("202", "Résidences autonomie", "4401"),
    ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "4401"),
    ("501", "EHPA percevant des crédits d'assurance maladie", "4401"),
    ("502", "EHPA ne percevant pas des crédits d'assurance maladie", "4401"),
    ("207", "Centre de Jour pour Personnes Agées", "4402"),
    ("381", "Etablissement Expérimental pour Personnes Agées", "4404"),
    ("166", "Centre Parents-Enfants de moins de 3 ans", "4501"),
    ("172", "Pouponnière à caractère social", "4501"),
    ("175", "Foyer de l'Enfance", "4501"),
    ("176", "Village d'Enfants", "4501"),
    ("177", "Maison d'Enfants à Caractère Social", "4501"),
    ("236", "Service de placement familial (SPF)", "4501"),
    ("411", "Intermédiaire de placement social", "4501"),
    ("241", "Etablissement de Placement", "4502"),
    ("441", "Service d'Intervention Educative en Milieu Ouvert", "4502"),
    ("286", "Service de prévention spécialisée", "4504"),
    ("295", "Services AEMO et AED", "4504"),
    ("344", "Service délégué aux prestations familiales", "4504"),
    (
        "643",
        "Service d'évaluation de la minorité et de l'isolement des personnes se déclarant "
        "mineures (SEMIPM)",
        "4504",
    ),
    (
        "644",
        "Etablissement de mise à l'abri des personnes se déclarant mineures non accompagnées "
        "(EMAMNA)",
        "4504",
    ),
    ("378", "Etablissement expérimental enfance protégée", "4505"),
    ("440", "Service d'Investigation Educative", "4505"),
    ("214", "Centre d'hébergement et de réinsertion sociale (CHRS)", "4601"),
    ("216", "Résidence hôtelière à vocation sociale (RHVS)", "4601"),
    ("219", "Autre centre d'accueil", "4601"),
    ("442", "Centre provisoire d'hébergement", "4601"),
    ("443", "Centre d'accueil de demandeurs d'asile (CADA)", "4601"),
    ("640", "Service d'aide et d'accompagnement à domicile aux familles (SAADF)", "4601"),
    ("256", "Foyer de travailleurs migrants non transformé en résidence sociale", "4602"),
    ("257", "Foyer de jeunes travailleurs", "4602"),
    ("271", "Maison d'accueil hospitalière", "4602"),
    ("380", "Etablissement expérimental autres adultes", "4603"),
    ("165", "Appartement de coordination thérapeutique (ACT)", "4604"),
    (
        "178",
        "Centre d'accueil et d'accompagnement à la réduction des risques pour usagers de "
        "drogues (CAARUD)",
        "4604",
    ),
    ("180", "Lits halte soins santé (LHSS)", "4604"),
    (
        "197",
        "Centre de soins, d'accompagnement et de prévention en addictologie (CSAPA)",
        "4604",
    ),
    ("213", "Lits d'accueil médicalisés (LAM)", "4604"),
    ("608", "Equipe mobile médico-sociale précarité (EMMSP)", "4604"),
    ("209", "Service autonomie aide et soins (SAAS)", "4605"),
    ("354", "Service de Soins Infirmiers A Domicile (S.S.I.A.D)", "4605"),
    ("460", "Service autonomie aide (SAA)", "4605"),
    ("462", "Lieux de Vie et d'Accueil", "4605"),
    ("461", "Centre de ressources", "4606"),
    ("463", "Centre local d'information et de coordination pour personnes âgées (CLIC)", "4606"),
    ("609", "Maison départementale des personnes handicapées (MDPH)", "4606"),
    ("258", "Maison relais, pension de famille", "4607"),
    ("259", "Autres résidences sociales", "4607"),
    ("340", "Service mandataire judiciaire à la protection des majeurs", "4608"),
    ("341", "Service dédié aux mesures d'accompagnement social personnalisé", "4608"),
    ("342", "Service d'information et de soutien aux tuteurs familiaux", "4608"),
    (
        "464",
        "Unité d'évaluation, de réentraînement et d'orientation sociale et professionnelle (UEROS)",
        "4609",
    ),
]
