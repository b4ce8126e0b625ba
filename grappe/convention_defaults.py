"""Model texts ("textes types") proposed to a grappe before it writes its own.

- The convention de coopération: one text per section, following the points essentiels of seed 004
  ("Structurer et formaliser le processus de coopération"), adapted to the grappe's data (porteur,
  type of project, solution) so that the first draft needs editing rather than writing.
- The governance bodies: missions and modalités de fonctionnement of the COPIL, the comité de suivi
  opérationnel (seed 000 annex §1.1.4, seed 004) and the comité de sélection AMOA (seed 000 §1.5).

The texts are only proposed: the views put them in empty fields, people read, adapt and save.
The perimeter of the project (each OG, its FINESS juridique and its ESMS' FINESS géographiques) is
not written here: documents render it from the grappe's live data.
"""

from grappe.enums import Hebergement, TypeComite, TypeProjet

PLACEHOLDER = "…"


def _porteur(grappe):
    porteur = grappe.porteur
    if porteur is None:
        return "[organisme gestionnaire porteur à désigner]"
    return f"{porteur.name} (FINESS juridique {porteur.finess_ej})"


def _solution(grappe):
    if grappe.solution:
        label = f"{grappe.editeur} — {grappe.solution}" if grappe.editeur else grappe.solution
        return label + (" (solution référencée Ségur)" if grappe.solution_segur else "")
    if grappe.type_projet == TypeProjet.ACQUISITION:
        return "à choisir à l'issue de la procédure d'achat"
    return PLACEHOLDER


def _hebergement(grappe):
    if grappe.hebergement:
        return Hebergement(grappe.hebergement).label.lower()
    return "à définir"


def _is_acquisition(grappe):
    return grappe.type_projet == TypeProjet.ACQUISITION


def contexte(grappe):
    enjeux = grappe.enjeux.strip() or (
        "- Transformation de l'offre : …\n"
        "- Enjeux métiers (coordination, qualité d'accueil et d'accompagnement…) : …\n"
        "- Niveau de maturité du système d'information : …\n"
        "- Capacité à engager le projet : …\n"
        "- Usages en matière de DUI : …\n"
        "- État des besoins en équipement (matériel et infrastructure) : …"
    )
    nature = TypeProjet(grappe.type_projet).label.lower()
    return f"""Les organismes gestionnaires signataires (ci-après « les coopérateurs ») se regroupent au sein de la grappe « {grappe.name} » pour répondre ensemble au programme ESMS numérique, financé par le Ségur du numérique en santé. Ils déploient dans leurs établissements et services un dossier usager informatisé (DUI) interopérable et utilisent les services socles : messagerie sécurisée de santé (MSSanté) et DMP (Mon espace santé).

Périmètre couvert par le projet
Le périmètre du projet figure au tableau « Périmètre couvert par le projet » de la présente convention : pour chaque organisme gestionnaire, son FINESS juridique et le FINESS géographique de chacun de ses établissements et services concernés. Ce tableau est établi à partir des données de la grappe à la date d'édition de la convention.

Enjeux communs et enjeux spécifiques
Sur la base du diagnostic réalisé par chaque coopérateur et partagé au sein de la grappe, les enjeux sont les suivants :
{enjeux}

Qualification du projet
- Nature du projet : {nature} ;
- Type d'hébergement : {_hebergement(grappe)} ;
- Éditeur / solution logicielle : {_solution(grappe)}.

Objectifs et actions communes retenues
Les coopérateurs s'engagent à poursuivre ensemble les objectifs suivants :
- déployer le DUI dans l'ensemble des établissements et services du périmètre ;
- atteindre les cibles d'usage du programme (MSSanté, DMP, dossiers actifs), qui conditionnent le second versement de la subvention ;
- mutualiser la conduite du projet, l'achat et l'accompagnement au changement ;
- partager les bonnes pratiques et les retours d'expérience entre établissements."""


def porteur_missions(grappe):
    if _is_acquisition(grappe):
        marche = (
            "- mène, avec l'appui du chef de projet et en collaboration avec les coopérateurs, "
            "la procédure de passation du marché dans le cadre du système d'acquisition dynamique "
            "(SAD) du RESAH pour l'acquisition du DUI ;"
        )
    else:
        marche = (
            "- organise, avec l'appui du chef de projet, la relation avec l'éditeur pour la mise "
            "en conformité du DUI ;"
        )
    return f"""{_porteur(grappe)} accepte d'assurer la fonction de porteur juridique du projet pour le compte des coopérateurs. À ce titre, il dépose la candidature de la grappe, signe la convention de financement avec l'ARS et en perçoit les fonds.

Missions du porteur de projet
Le porteur de projet :
- coordonne et suit la mise en œuvre du projet, en lien avec le comité de pilotage ;
{marche}
- rend compte à l'ARS de l'avancement du projet et de l'atteinte des cibles d'usage ;
- répartit entre les coopérateurs les fonds qui leur reviennent, selon les dispositions financières de la présente convention.

Modalités d'exécution des missions du porteur
Le porteur exerce ses missions au nom et pour le compte des coopérateurs, dans le respect des décisions du comité de pilotage. Il ne peut engager les coopérateurs au-delà de ce que prévoit la présente convention sans l'accord du comité de pilotage. Ses missions de porteur de projet ne donnent lieu à aucune rémunération."""


def membres_engagements(grappe):
    if _is_acquisition(grappe):
        marche = (
            "Chaque coopérateur exécute, pour ce qui le concerne, le marché conclu avec l'éditeur "
            "retenu à l'issue de la procédure d'acquisition : commandes, participation aux ateliers "
            "de paramétrage, recette, formation des équipes, déploiement et paiement de sa part. Il "
            "informe sans délai le porteur de toute difficulté d'exécution."
        )
    else:
        marche = (
            "Chaque coopérateur exécute, pour ce qui le concerne, les contrats passés avec "
            "l'éditeur pour la mise en conformité de son DUI et informe sans délai le porteur de "
            "toute difficulté d'exécution."
        )
    return f"""Pilotage, mise en œuvre et suivi du projet
Chaque coopérateur s'engage à :
- assurer la bonne exécution du projet dans ses établissements et services selon le cadre contractuel, et rendre compte régulièrement au porteur de projet de son état d'avancement ;
- s'impliquer tout au long de la réalisation du projet et réunir les conditions de sa réussite : participation aux instances de gouvernance, désignation de référents, temps dégagé pour les professionnels sollicités ;
- transmettre au porteur les informations nécessaires au suivi du projet et au calcul des indicateurs d'usage demandés par l'ARS ;
- respecter le calendrier et les décisions du comité de pilotage.

Exécution du marché
{marche}"""


def gouvernance(grappe):
    return """Modalités de gouvernance
La gouvernance du projet implique les coopérateurs à un double niveau.

Comité de pilotage (COPIL)
Composé d'un représentant de la direction de chaque coopérateur, le COPIL est l'instance stratégique du projet : il fixe les orientations, arbitre, valide les livrables et les comptes rendus avant leur diffusion et décide du passage des jalons (go / no go). Il désigne le comité de sélection chargé de choisir l'assistance à maîtrise d'ouvrage.

Comité de suivi opérationnel
Composé du chef de projet, des référents désignés par les coopérateurs et, le cas échéant, de l'AMOA, il suit l'avancement opérationnel, coordonne les travaux entre les établissements, prépare les décisions du COPIL et lui remonte les alertes et les risques.

Assistance à maîtrise d'ouvrage (AMOA)
Si les coopérateurs recourent à une AMOA, celle-ci assiste le porteur et le chef de projet : préparation et animation des COPIL et du comité de suivi, rédaction des comptes rendus, suivi du planning, des livrables et des risques, appui à la procédure de marché et à la recette. Elle agit sous l'autorité du chef de projet et en articulation avec les référents projet ; les choix stratégiques restent du ressort du COPIL.

Référents projet
Chaque coopérateur désigne un référent projet et, pour chacun de ses établissements et services, un référent DUI. Les référents relaient le projet auprès des équipes, participent aux ateliers, à la recette et à la formation, et sont les interlocuteurs du chef de projet et de l'AMOA.

Comptes rendus
Les comptes rendus des comités sont transmis au plus tard 8 jours ouvrés après la réunion, validés par le COPIL, puis diffusés aux membres de la grappe et du comité de suivi. La composition, les missions et les modalités de fonctionnement de chaque comité sont tenues à jour par le chef de projet."""


def responsabilite(grappe):
    return """Les coopérateurs sont seuls responsables des obligations qui leur incombent au titre de la présente convention et qui ne seraient pas réalisées conjointement. Le porteur de projet n'est responsable qu'au titre des missions qui lui sont confiées par la présente convention ; il ne saurait répondre de l'inexécution, par un coopérateur, de ses propres engagements.

Chaque coopérateur demeure responsable des traitements de données personnelles des personnes accompagnées dans ses établissements et services, et veille au respect de la réglementation applicable (RGPD, hébergement des données de santé).

Chaque coopérateur s'assure de la couverture, par son assureur, des risques liés à sa participation au projet."""


def dispositions_financieres(grappe):
    if _is_acquisition(grappe):
        achats = (
            "Le DUI est acquis dans le cadre du marché passé par le porteur. Chaque coopérateur "
            "peut en revanche passer directement par le fournisseur de son choix pour ses achats "
            "d'équipements et d'infrastructures, dans la limite de sa part du budget."
        )
    else:
        achats = (
            "Chaque coopérateur peut passer directement par le fournisseur de son choix pour ses "
            "achats d'équipements et d'infrastructures, dans la limite de sa part du budget."
        )
    return f"""Budget prévisionnel
Le budget prévisionnel détaillé du projet, annexé à la présente convention, précise pour chaque coopérateur la répartition prévisionnelle des fonds (part éditeur, part usages, équipements, AMOA) et, le cas échéant, les personnels mis à disposition du projet.

Répartition des fonds
La subvention est versée par l'ARS au porteur de projet selon l'échéancier de la convention de financement : une première tranche à sa signature, le solde à l'atteinte des cibles d'usage. Le porteur reverse à chaque coopérateur la part qui lui revient selon la répartition arrêtée en comité de pilotage, dans un délai de … jours suivant la réception des fonds.

Absence de rémunération du porteur
Les missions de porteur de projet ne donnent lieu à aucune rémunération.

Achats d'équipements et d'infrastructures
{achats}

Modalités de paiement des dépenses
Chaque coopérateur règle directement les dépenses qui le concernent. Les dépenses communes (AMOA, prestations mutualisées) sont réglées par le porteur et imputées sur la part commune du budget. Les justificatifs de dépenses sont transmis au porteur, qui les tient à la disposition de l'ARS."""


def modalites(grappe):
    return """Entrée en vigueur et durée
La présente convention entre en vigueur à la date de sa signature par l'ensemble des coopérateurs. Elle est conclue pour la durée du projet, jusqu'au versement du solde de la subvention et à la production du bilan du projet.

Modification
Toute modification de la présente convention fait l'objet d'un avenant approuvé par le comité de pilotage et signé par l'ensemble des coopérateurs.

Retrait
Un coopérateur peut se retirer de la grappe moyennant un préavis de trois mois, par lettre recommandée avec accusé de réception adressée au porteur, qui en informe les autres coopérateurs et l'ARS. Le coopérateur qui se retire reste tenu des engagements pris jusqu'à la date effective de son retrait et restitue, le cas échéant, les sommes perçues pour des actions non réalisées.

Résiliation
La présente convention peut être résiliée d'un commun accord entre les coopérateurs. Elle est résiliée de plein droit en cas de résiliation de la convention de financement conclue avec l'ARS. En cas de manquement grave d'un coopérateur à ses obligations, et après mise en demeure restée sans effet pendant un mois, le comité de pilotage peut prononcer son exclusion.

Règlement des litiges
Les coopérateurs s'efforcent de régler à l'amiable, au sein du comité de pilotage, tout différend relatif à l'interprétation ou à l'exécution de la présente convention. À défaut d'accord dans un délai de deux mois, le litige est porté devant la juridiction compétente."""


SECTION_DEFAULTS = {
    "contexte": contexte,
    "porteur_missions": porteur_missions,
    "membres_engagements": membres_engagements,
    "gouvernance": gouvernance,
    "responsabilite": responsabilite,
    "dispositions_financieres": dispositions_financieres,
    "modalites": modalites,
}


def convention_defaults(grappe):
    """{section field name: model text} for the grappe's convention de coopération."""
    return {name: build(grappe) for name, build in SECTION_DEFAULTS.items()}


# ---------------------------------------------------------------------------------------------
# Governance bodies
# ---------------------------------------------------------------------------------------------

COMITE_DEFAULTS = {
    TypeComite.COPIL: {
        "missions": """Le comité de pilotage est l'instance stratégique du projet. Il :
- fixe les orientations du projet et arbitre les choix structurants (solution, calendrier, répartition du budget) ;
- désigne le comité de sélection de l'AMOA et valide son choix ;
- valide les livrables du projet, ainsi que les comptes rendus des comités et des ateliers avant leur diffusion ;
- décide du passage des jalons du projet (go / no go) ;
- suit l'avancement, le budget, les risques et l'atteinte des cibles d'usage ;
- arbitre les difficultés que lui remonte le comité de suivi opérationnel.""",
        "fonctionnement": """- Composition : un représentant de la direction de chaque organisme gestionnaire coopérateur ; le chef de projet et l'AMOA y assistent.
- Fréquence : au moins une réunion par trimestre, et à chaque jalon du projet.
- Préparation : le chef de projet, avec l'appui de l'AMOA, adresse l'ordre du jour et les documents au moins 5 jours ouvrés avant la séance.
- Compte rendu : transmis au plus tard 8 jours ouvrés après la réunion ; il est diffusé aux membres de la grappe et du comité de suivi une fois validé par le COPIL.
- Décisions : prises selon la règle de validation du comité ; les invités permanents ont voix consultative.""",
    },
    TypeComite.SUIVI: {
        "missions": """Le comité de suivi opérationnel conduit la mise en œuvre du projet. Il :
- suit le planning, les livrables et les actions de chaque établissement ;
- coordonne les référents projet, DUI et métier désignés par les coopérateurs ;
- organise les ateliers (expression des besoins, conception, recette, formation) ;
- prépare les décisions soumises au COPIL et lui remonte les alertes et les risques ;
- suit le déploiement et les indicateurs d'usage.""",
        "fonctionnement": """- Composition : le chef de projet, les référents désignés par chaque coopérateur et, le cas échéant, l'AMOA.
- Fréquence : toutes les deux à quatre semaines, plus souvent pendant le déploiement.
- Animation : le chef de projet, avec l'appui de l'AMOA.
- Compte rendu : transmis au plus tard 8 jours ouvrés après la réunion, validé par le COPIL avant sa diffusion.""",
    },
    TypeComite.COTECH: {
        "missions": """Le comité technique traite les questions techniques du projet. Il :
- prépare les choix techniques soumis au COPIL (architecture, hébergement, interopérabilité, messagerie sécurisée de santé, DMP) ;
- suit le paramétrage du DUI, la reprise des données et les interfaces avec l'éditeur ;
- organise la recette technique et le suivi des anomalies ;
- veille à la sécurité des systèmes d'information et à la protection des données.""",
        "fonctionnement": """- Composition : le chef de projet, les référents DUI et informatiques des coopérateurs, l'AMOA et, selon l'ordre du jour, l'éditeur.
- Fréquence : selon les besoins du projet, plus souvent pendant le paramétrage et la recette.
- Compte rendu : transmis au plus tard 8 jours ouvrés après la réunion, validé par le COPIL avant sa diffusion.""",
    },
    TypeComite.SELECTION: {
        "missions": """Le comité de sélection, désigné par le COPIL, a pour mission :
- d'élaborer le cahier des charges qui définit les besoins en assistance à maîtrise d'ouvrage (missions « marché » et « projet ») ;
- d'analyser les offres reçues au regard des critères du cahier des charges ;
- d'auditionner les candidats retenus à l'issue d'une première analyse des offres ;
- de désigner le candidat retenu et d'en rendre compte au COPIL.""",
        "fonctionnement": """- Composition : des directeurs et directrices d'organismes gestionnaires et d'établissements de la grappe, désignés par le COPIL.
- Chaque membre déclare tout lien d'intérêt avec un candidat et s'abstient le cas échéant.
- Les offres et les délibérations sont confidentielles.
- Le choix est motivé dans un rapport de sélection versé au dossier de la consultation.""",
    },
}


def comite_defaults(kind):
    """{"missions": …, "fonctionnement": …} model texts for a type of comité."""
    return dict(COMITE_DEFAULTS[TypeComite(kind)])
