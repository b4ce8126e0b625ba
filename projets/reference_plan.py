"""Plan projet type d'une grappe d'ESMS : 4 phases, 18 étapes, livrables, jalons, risques.

Données de référence, sans dépendance à Django, pour le guide « Que faire à cette étape ? » et pour
planifier le projet d'une grappe.

Source : ASIP Santé, « Plan projet type pour la mise en place d'un système d'information en
maisons, pôles de santé pluri-professionnels et centres de santé polyvalents » (seed 003). Le
contenu de chaque rubrique est conservé, mais adapté à une grappe d'ESMS qui déploie un dossier
usager informatisé (DUI) dans le cadre du programme ESMS numérique :
- les professionnels de santé libéraux deviennent les ESMS de la grappe et leurs professionnels ;
- la structure porteuse (SISA, SCM, association) devient le porteur de projet, qui agit pour le
  compte des coopérateurs, liés par une convention de coopération (seed 004) ;
- les décisions prises en assemblée générale relèvent du COPIL, qui valide collégialement les
  livrables et prononce les go / no go (seeds 000 et 001) ;
- les acteurs sont le sponsor (les directions), le COPIL, le comité de suivi opérationnel, le chef
  de projet interne, les référents DUI, métier et fonctionnels de chaque ESMS, l'AMOA (missions
  « marché » et « projet ») et la MOE, c'est-à-dire l'éditeur du DUI ;
- pour les domaines « personnes âgées », « personnes en situation de handicap » et « domicile »,
  l'éditeur est choisi par une mise en concurrence via le système d'acquisition dynamique (SAD) du
  RESAH (seed 000 §2.2) ;
- les références datées du seed sont mises à jour : le label ASIP devient le référencement Ségur, la
  déclaration CNIL devient l'inscription au registre RGPD (avec l'appui du DPO), l'hébergeur agréé
  devient un hébergeur certifié HDS, le DMP s'inscrit dans Mon espace santé.

Format des textes : texte brut en français. Un paragraphe par ligne, une ligne vide entre deux
blocs ; les éléments de liste commencent par « - », les sous-éléments par deux espaces puis « - » ;
un intertitre numéroté (« 1. ... ») occupe une ligne à lui seul.

`duree_semaines` est une durée par défaut pour une grappe d'environ 16 ESMS, utilisée pour proposer
un planning ; les étapes 16 à 18 s'exécutent après la mise en service (le bilan de l'étape 17 à
l'issue de la première année de fonctionnement, l'étape 18 à la demande).
"""

# Rubriques d'une étape, dans l'ordre d'affichage, avec leur intitulé.
RUBRIQUES = [
    ("objectifs", "Objectifs"),
    ("contenu", "Contenu des travaux"),
    ("acteurs", "Acteurs mobilisés"),
    ("outils_methodes", "Outils et méthodes"),
    ("documents_produits", "Documents produits"),
    ("facteurs_cles_succes", "Recommandations / facteurs clés de succès"),
]

# Catégories de risque, avec leur intitulé.
CATEGORIES_RISQUE = [
    ("cooperation", "Coopération"),
    ("gouvernance", "Gouvernance"),
    ("technique", "Technique"),
    ("planning", "Planning"),
    ("budget", "Budget"),
    ("usages", "Usages"),
    ("fournisseur", "Fournisseur"),
    ("donnees", "Données"),
]

PHASES = [
    {
        "numero": 1,
        "titre": "Cadrage du projet",
        "description": (
            "La phase de cadrage vise à définir collégialement les objectifs du projet de "
            "déploiement du dossier usager informatisé (DUI) dans les ESMS de la grappe, son "
            "calendrier, les moyens humains et financiers à mobiliser et l'organisation à "
            "mettre en place en conséquence.\n\n"
            "La note de cadrage est l'aboutissement de cette première phase. Approuvée par le "
            "COPIL au nom de l'ensemble des coopérateurs, elle constitue le document de "
            "référence pour le déroulement du projet."
        ),
    },
    {
        "numero": 2,
        "titre": "Définition du projet",
        "description": (
            "La phase de définition du projet vise, in fine, à la formalisation d'un cahier des "
            "charges complet, permettant le lancement d'une consultation des éditeurs.\n\n"
            "Pour une acquisition relevant des domaines « personnes âgées », « personnes en "
            "situation de handicap » et « domicile », ce cahier des charges s'insère dans le "
            "dossier de consultation établi à partir du kit fourni par le RESAH pour son "
            "système d'acquisition dynamique (SAD). Il est complété par la grappe, notamment en "
            "fonction d'une analyse précise des besoins fonctionnels et techniques de ses ESMS "
            "et des prestations attendues."
        ),
    },
    {
        "numero": 3,
        "titre": "Choix de la solution",
        "description": (
            "La phase de choix de la solution vise à sélectionner un prestataire maître "
            "d'œuvre, éditeur et/ou intégrateur d'un DUI répondant aux besoins exprimés.\n\n"
            "Cette phase s'articule autour du lancement d'une consultation : mise en "
            "concurrence via le SAD du RESAH pour les domaines « personnes âgées », « personnes "
            "en situation de handicap » et « domicile », consultation de prestataires "
            "pré-identifiés pour les autres domaines. Le choix est validé collégialement par le "
            "COPIL."
        ),
    },
    {
        "numero": 4,
        "titre": "Mise en œuvre de la solution",
        "description": (
            "Cette dernière phase doit aboutir à la mise en service du DUI dans les ESMS de la "
            "grappe. Si elle a été correctement préparée par l'équipe-projet en amont, elle "
            "reste largement à la charge du maître d'œuvre (MOE), l'éditeur retenu, la maîtrise "
            "d'ouvrage (et son AMOA éventuelle) ayant un simple rôle de pilotage et de "
            "supervision des travaux, suivis dans le cadre d'instances de pilotage définies "
            "conjointement avec le prestataire lors du lancement des travaux (COPIL, comité de "
            "suivi opérationnel).\n\n"
            "Les utilisateurs des ESMS sont toutefois sollicités pour l'assistance à la "
            "réalisation des paramétrages, la formation et, éventuellement, la recette "
            "fonctionnelle de l'application. La phase se prolonge par la maintenance, le bilan "
            "du projet, la commande éventuelle de prestations complémentaires et le suivi des "
            "usages, dont dépend le second versement de la subvention."
        ),
    },
]

ETAPES = [
    # Étape 1 (phase 1 : Cadrage du projet)
    {
        "numero": 1,
        "phase": 1,
        "titre": "Définir les objectifs et le périmètre du projet",
        "objectifs": (
            "Cette première étape doit permettre de définir les objectifs ainsi que le "
            "périmètre du projet de dossier usager informatisé (DUI) de la grappe : fonctions "
            "couvertes et non couvertes, degré d'intégration des différentes fonctions "
            "couvertes, type d'informations partagées et modalités de partage (entre "
            "professionnels d'un même ESMS, entre ESMS de la grappe, avec les partenaires et "
            "avec les personnes accompagnées), ainsi que le périmètre des ESMS et des "
            "professionnels utilisateurs."
        ),
        "contenu": (
            "1. Définir les objectifs relatifs au degré d'intégration\n\n"
            "Le degré de partage de l'information et d'intégration souhaité doit être défini "
            "pour trois axes du système d'information :\n"
            "- le partage des dossiers des personnes accompagnées (informations "
            "administratives, vue de synthèse du dossier, projet personnalisé, évaluations, "
            "transmissions, données de soins détaillées, etc.) ;\n"
            "- la coordination entre professionnels et avec les partenaires (planification des "
            "interventions, agenda, suivi du projet personnalisé, transmissions et événements, "
            "protocoles de soins, formulaires et aide-mémoires, etc.) ;\n"
            "- le pilotage de l'activité des ESMS et de la grappe (extraction de données "
            "statistiques, calcul d'indicateurs d'activité et de pilotage, dont les indicateurs "
            "d'usage du programme ESMS numérique).\n\n"
            "Ainsi, en fonction de leur projet d'établissement ou de service, de leurs "
            "habitudes et de leurs souhaits, les ESMS de la grappe peuvent se donner, pour "
            "chacun des axes ci-dessus, un palier à atteindre. Il n'est pas possible pour une "
            "organisation abordant l'informatisation de son activité de répondre instantanément "
            "à des objectifs trop avancés ou nécessitant des prérequis trop importants. Il est "
            "préférable d'établir un programme de projet autour d'un objectif se situant sur un "
            "palier accessible pour chacun des axes, y compris pour les ESMS les moins avancés.\n\n"
            "2. Définir les objectifs du système d'information et son périmètre fonctionnel "
            "cible au regard des projets d'établissement ou de service\n\n"
            "Le DUI doit être considéré comme un outil facilitant la mise en œuvre des projets "
            "d'établissement ou de service des ESMS et du projet commun de la grappe. Ainsi, "
            "ses objectifs et son périmètre sont à définir en fonction de leurs objectifs "
            "stratégiques : continuité de l'accompagnement, élaboration et suivi du projet "
            "personnalisé, coordination des intervenants dans une logique de parcours, échanges "
            "sécurisés avec les partenaires (MSSanté), alimentation du DMP / Mon espace santé, "
            "participation des personnes accompagnées, pilotage de l'activité, atteinte des "
            "cibles d'usage qui conditionnent le second versement de la subvention, etc.\n\n"
            "Schématiquement, la définition du périmètre du DUI nécessite d'évaluer l'utilité "
            "des modules ou groupes de fonctionnalités suivants, au regard du contexte propre à "
            "chaque ESMS et à la grappe :\n"
            "- dossier administratif de la personne accompagnée (identité, identifiant national "
            "de santé - INS, admission, sortie) ;\n"
            "- projet personnalisé et évaluations ;\n"
            "- transmissions, événements et suivi de l'accompagnement ;\n"
            "- dossier de soins et, le cas échéant, circuit du médicament ;\n"
            "- agenda, planification des activités et des interventions ;\n"
            "- échanges externes : MSSanté, DMP / Mon espace santé, partenaires ;\n"
            "- pilotage : indicateurs, tableaux de bord, extractions ;\n"
            "- gestion administrative et facturation, le cas échéant.\n\n"
            "Corollairement, il conviendra de définir les fonctions exclues du périmètre du "
            "projet, éventuellement prises en charge par d'autres logiciels, ou non "
            "informatisées, ou devant être mises en œuvre dans un second temps.\n\n"
            "3. Définir le périmètre des utilisateurs du système d'information\n\n"
            "Le DUI n'est pas nécessairement utilisé par l'ensemble des professionnels exerçant "
            "ou intervenant dans les ESMS de la grappe (ex. : intervenants libéraux, "
            "vacataires, stagiaires, bénévoles, partenaires extérieurs). Dans tous les cas, le "
            "périmètre des ESMS concernés (FINESS géographiques) et des utilisateurs réguliers "
            "du DUI doit être défini dès le départ."
        ),
        "acteurs": (
            "L'ensemble des ESMS de la grappe et de leurs professionnels, mobilisés par :\n"
            "- le sponsor du projet : les directions des organismes gestionnaires coopérateurs, "
            "qui portent le projet et arbitrent ;\n"
            "- le COPIL de la grappe, qui approuve la note de cadrage ;\n"
            "- les directions des ESMS ;\n"
            "- le chef de projet interne (et l'AMOA le cas échéant) ;\n"
            "- les référents DUI et les référents métier de chaque ESMS, relais des "
            "professionnels de l'accompagnement et du soin et des personnels administratifs "
            "(secrétariat, accueil) ;\n"
            "- les fonctions support concernées : informatique, qualité, délégué à la "
            "protection des données (DPO)."
        ),
        "outils_methodes": (
            "- Une réunion de lancement, préalable aux travaux, rassemblant les directions des "
            "organismes gestionnaires et des ESMS, le chef de projet, les référents et l'AMOA "
            "le cas échéant, pour définir le périmètre fonctionnel global du DUI.\n"
            "- Une contribution écrite de chaque ESMS, recueillie par son référent DUI, "
            "précisant ses attentes vis-à-vis du DUI et le degré d'intégration envisagé ; elle "
            "s'appuie sur l'autodiagnostic de maturité SI réalisé par chaque coopérateur et sur "
            "son analyse consolidée à l'échelle de la grappe.\n"
            "- La définition de la contribution des fonctions support (administratif, "
            "informatique, qualité, DPO) à la gestion du DUI."
        ),
        "documents_produits": (
            "Note de cadrage : définition des objectifs du projet, du périmètre fonctionnel et "
            "du périmètre des ESMS et des professionnels utilisateurs."
        ),
        "facteurs_cles_succes": (
            "Si les objectifs du DUI dépendent avant tout des objectifs stratégiques des "
            "projets d'établissement ou de service et du projet commun de la grappe, ils "
            "doivent également, pour rester réalistes et pertinents, tenir compte :\n"
            "- de la maturité de chaque ESMS et des pratiques antérieures (DUI déjà en place, à "
            "changer ou à mettre en conformité ? système de partage de données déjà existant ? "
            "dossiers encore sur papier ?) ;\n"
            "- de la volonté globale des coopérateurs de se fixer des objectifs ambitieux ou "
            "mesurés ;\n"
            "- des ressources et des moyens mobilisables (financiers, humains, techniques), y "
            "compris les financements du programme ESMS numérique.\n\n"
            "Le niveau de maturité SI des organismes gestionnaires est souvent hétérogène : les "
            "objectifs communs doivent rester atteignables par chaque ESMS de la grappe."
        ),
        "livrables": [
            {
                "code": "note_cadrage_objectifs",
                "titre": "Note de cadrage : objectifs, périmètre fonctionnel et utilisateurs",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 4,
        "jalon": None,
    },
    # Étape 2 (phase 1 : Cadrage du projet)
    {
        "numero": 2,
        "phase": 1,
        "titre": "Constituer une équipe-projet",
        "objectifs": (
            "Cette étape, brève mais indispensable, a pour objectif la définition des "
            "structures de mise en œuvre du projet et de leur composition : instances de "
            "gouvernance de la grappe (COPIL, comité de suivi opérationnel), équipe-projet de "
            "la maîtrise d'ouvrage et, le cas échéant, assistance à maîtrise d'ouvrage (AMOA)."
        ),
        "contenu": (
            "1. Constituer l'équipe-projet de la maîtrise d'ouvrage\n\n"
            "La maîtrise d'ouvrage du projet (MOA) est assurée par le porteur de projet, pour "
            "le compte des coopérateurs de la grappe, dans le cadre de la convention de "
            "coopération. Les instances de gouvernance sont installées dès cette étape :\n"
            "- le comité de pilotage (COPIL), qui réunit les directions des coopérateurs et du "
            "porteur : il définit les orientations, arbitre, valide les livrables et les "
            "comptes rendus avant leur diffusion et prononce les décisions de go / no go ;\n"
            "- le comité de suivi opérationnel, qui réunit le chef de projet, les référents des "
            "ESMS et l'AMOA le cas échéant (puis la MOE) pour le suivi courant des travaux.\n"
            "La composition, le rôle, les missions et les modalités de fonctionnement de chaque "
            "instance sont précisés dans la note de cadrage.\n\n"
            "Le maître d'ouvrage, pour s'organiser en « mode projet », doit structurer une "
            "équipe-projet, composée a minima :\n"
            "- d'un chef de projet interne, désigné collégialement par le COPIL. Il a pour rôle "
            ":\n"
            "  - d'assurer l'organisation et la coordination des travaux, en lien avec le "
            "maître d'œuvre (MOE, l'éditeur du DUI) et l'éventuel assistant à maîtrise "
            "d'ouvrage, dont il est le principal interlocuteur ;\n"
            "  - de participer à toutes les étapes du projet ;\n"
            "  - de faciliter la circulation et la diffusion de l'information entre les parties "
            "prenantes au projet, et en particulier entre les ESMS de la grappe ;\n"
            "- d'un référent DUI dans chaque ESMS, relais du chef de projet auprès des équipes "
            "de l'établissement ou du service ;\n"
            "- de référents métier : pour chacun des métiers ou grands domaines "
            "d'accompagnement représentés dans la grappe (soin, éducatif, social, "
            "administratif, encadrement...), un référent métier est désigné par ses pairs ou "
            "par sa direction. Les référents métier interviennent en appui au chef de projet, à "
            "chaque phase, et notamment pour les étapes d'étude de l'existant, de définition "
            "des besoins fonctionnels, de choix de la solution, puis de recette utilisateurs, "
            "de paramétrages et de formation ;\n"
            "- de référents fonctionnels chargés de la définition de certains besoins "
            "transversaux et des paramétrages d'un domaine particulier (ex. : référent « "
            "indicateurs de pilotage » ; référent « politique de sécurité et habilitations », "
            "en lien avec le DPO ; etc.).\n\n"
            "Il est important d'identifier la personne qui jouera le rôle de promoteur du "
            "projet (sponsor) vis-à-vis des membres de la grappe, mais également des "
            "partenaires (ARS, conseil départemental, GRADeS, établissements de santé et "
            "dispositifs de coordination du territoire...). Il devra être en capacité "
            "d'expliquer la démarche du projet et ses enjeux pour l'organisation interne des "
            "ESMS et pour l'accompagnement des personnes sur le territoire. Ce rôle "
            "d'explication, voire de médiation, est porté au niveau des directions ; il peut "
            "être relayé par un des membres de l'équipe-projet de la maîtrise d'ouvrage.\n\n"
            "En outre, il convient de désigner dès maintenant les futurs administrateurs du "
            "système. Cette fonction peut être assurée en interne ou externalisée :\n"
            "- administration internalisée : les administrateurs du système sont le chef de "
            "projet et les référents (ou le service informatique d'un des coopérateurs) ;\n"
            "- administration externalisée : un prestataire externe, pouvant intervenir "
            "rapidement dans les ESMS, doit être sollicité. Il assurerait le rôle "
            "d'administrateur du système et d'assistance aux paramétrages lors du "
            "fonctionnement normal du système. Il devra participer aux formations spécifiques "
            "pour les administrateurs du système (cf. étape 15).\n\n"
            "2. Analyser les charges et compétences nécessaires à la conduite du projet\n\n"
            "La mise en œuvre d'un projet d'informatisation représente une charge de travail et "
            "requiert un panel de compétences (informatiques, fonctionnelles, techniques, "
            "organisationnelles, achat public...) qui doivent être bien prises en compte par le "
            "chef de projet de la maîtrise d'ouvrage.\n\n"
            "Il convient donc de s'assurer, dès la constitution de l'équipe-projet, de la "
            "disponibilité, au sein des ESMS et des organismes gestionnaires, de ressources "
            "présentant les compétences requises et disposant de suffisamment de temps à "
            "consacrer au projet, en particulier lors de ses phases amont (cadrage, définition "
            "du projet, expression de besoin et choix de la solution), généralement les plus "
            "chronophages pour la maîtrise d'ouvrage.\n\n"
            "Dans l'hypothèse où ces conditions ne seraient que partiellement réunies "
            "(adéquation insuffisante des moyens internes...), le COPIL peut envisager de "
            "solliciter un soutien externe (GRADeS, cabinet de conseil...) endossant le rôle "
            "d'assistance à maîtrise d'ouvrage auprès du chef de projet et des ESMS de la "
            "grappe, auxquels il apporte une assistance méthodologique et opérationnelle. Le "
            "programme ESMS numérique prévoit deux enveloppes d'AMOA, l'une pour la partie « "
            "marché » (procédure d'achat), l'autre pour la partie « projet » : ces deux "
            "missions s'articulent ; elles peuvent être confiées à un prestataire, réalisées en "
            "interne, ou combiner ces deux possibilités.\n\n"
            "Dans la mesure où le recours à une AMOA représente un coût, son opportunité doit "
            "faire l'objet d'une analyse préalable coûts / avantages. Cette analyse peut "
            "notamment s'appuyer sur les critères suivants :\n"
            "- complexité du projet (maturité des ESMS, niveau d'intégration et objectifs "
            "visés, acquisition ou mise en conformité d'un DUI) ;\n"
            "- taille du projet (nombre d'ESMS, d'organismes gestionnaires et de professionnels "
            "concernés, diversité des métiers) : pour une grappe d'au moins quinze ESMS, le "
            "recours à une AMOA est généralement justifié, afin de professionnaliser la "
            "conduite de projet et d'éviter la mobilisation excessive du chef de projet ;\n"
            "- disponibilité (prévisionnelle) des professionnels des ESMS.\n\n"
            "Dans tous les cas, le recours à une AMOA ne s'entend que si celle-ci est en mesure "
            "d'apporter une véritable valeur ajoutée au porteur de projet, par :\n"
            "- la mise à disposition de ressources dédiées et compétentes dans la conduite de "
            "projets d'informatisation ;\n"
            "- l'apport d'un appui méthodologique et opérationnel dans la mise en place de "
            "l'organisation (processus et modes opératoires en matière de circulation et de "
            "partage d'information entre professionnels et entre ESMS...), et non seulement sur "
            "les questions d'informatisation ;\n"
            "- une assistance opérationnelle avérée dans les tâches qui incombent à la maîtrise "
            "d'ouvrage et qu'elle a du mal à réaliser par elle-même (faute de temps...) ;\n"
            "- une compétence en achat public, en particulier pour la procédure du système "
            "d'acquisition dynamique (SAD) du RESAH.\n\n"
            "Le cas échéant, les relations entre la MOA, l'AMOA et la future MOE (et son chef "
            "de projet) sont à formaliser, généralement au sein d'un plan d'assurance qualité "
            "du projet ou, a minima, dans la note de cadrage (rôles et responsabilités "
            "respectives des différents intervenants)."
        ),
        "acteurs": (
            "- Le sponsor : les directions des organismes gestionnaires coopérateurs.\n"
            "- Le COPIL de la grappe, qui désigne le chef de projet, valide la composition de "
            "l'équipe-projet et décide du recours à une AMOA.\n"
            "- Le porteur de projet, maître d'ouvrage pour le compte des coopérateurs.\n"
            "- Les directions des ESMS, qui désignent leurs référents et libèrent le temps "
            "nécessaire.\n"
            "- Le comité de sélection AMOA, désigné par le COPIL, en cas de recours à une AMOA."
        ),
        "outils_methodes": (
            "- Appel à candidatures, au sein des ESMS et des organismes gestionnaires, pour les "
            "fonctions de chef de projet et de référents ; fiches-mission précisant le rôle et "
            "le temps dédié de chacun.\n"
            "- Consultation pour le choix de l'assistant à maîtrise d'ouvrage (le cas échéant), "
            "sur la base d'un cahier des charges AMOA élaboré par le comité de sélection : "
            "contexte de la grappe, périmètre des missions « marché » et « projet », livrables "
            "attendus, contenu de la réponse et critères de sélection pondérés.\n"
            "- Décision du COPIL, consignée dans un compte rendu validé.\n"
            "- Élaborer préalablement une charte du projet est une bonne pratique."
        ),
        "documents_produits": (
            "Note de cadrage : composition nominative de l'équipe-projet et des instances de "
            "gouvernance (COPIL, comité de suivi opérationnel), formalisation des rôles de "
            "chacun (sponsor, chef de projet, référents, équipe-projet et éventuel assistant à "
            "maîtrise d'ouvrage) et des relations MOA / AMOA / MOE."
        ),
        "facteurs_cles_succes": (
            "- La fonction de chef de projet peut représenter une charge de travail importante. "
            "C'est pourquoi, en fonction de la complexité et de la taille du projet et à défaut "
            "d'un recours à une AMOA, deux chefs de projet pourront être désignés. La "
            "désignation d'un chef de projet interne, ou à tout le moins d'un référent "
            "représentant le maître d'ouvrage auprès de l'AMOA, reste indispensable.\n"
            "- Le temps consacré au projet par le chef de projet et les référents doit être "
            "reconnu et organisé : mise à disposition de personnels prévue dans les "
            "dispositions financières de la convention de coopération, décharge d'activité, "
            "mobilisation des financements « AMOA / chefferie de projet » du programme ESMS "
            "numérique lorsqu'ils sont ouverts.\n"
            "- Enfin, lorsque le recours à une AMOA paraît indispensable :\n"
            "  - analyser dans un premier temps les possibilités d'assistance offertes par le "
            "GRADeS, le collectif SI médico-social régional ou l'ANAP : mise à disposition "
            "ponctuelle d'experts, partage de retours d'expérience d'autres grappes du "
            "territoire... ; le RESAH propose également des formules d'accompagnement à la "
            "procédure d'achat ;\n"
            "  - vérifier auprès de l'ARS les enveloppes d'AMOA « marché » et « projet » "
            "mobilisables dans le cadre de l'appel à projets ;\n"
            "  - réunir les conditions de réussite de la mission : portage et parrainage du "
            "projet par les directions, investissement de chaque coopérateur dans la "
            "gouvernance, temps libéré pour les acteurs métier qui seront sollicités ;\n"
            "  - prévenir les risques propres à l'AMOA : désinvestissement des équipes "
            "internes, confusion des rôles (les choix stratégiques restent au COPIL), fin de "
            "mission problématique faute de capitalisation ; se donner les moyens de ne pas "
            "devenir dépendant du consultant."
        ),
        "livrables": [
            {
                "code": "note_cadrage_equipe_projet",
                "titre": (
                    "Note de cadrage : équipe-projet, gouvernance et relations MOA / AMOA / MOE"
                ),
                "validation_copil": False,
            },
        ],
        "duree_semaines": 3,
        "jalon": None,
    },
    # Étape 3 (phase 1 : Cadrage du projet)
    {
        "numero": 3,
        "phase": 1,
        "titre": "Établir un calendrier de conception et de mise en œuvre",
        "objectifs": (
            "Cette étape a pour objectifs :\n"
            "- d'établir un calendrier du projet, prévoyant pour chaque étape les tâches et "
            "échéances associées, ainsi que les rôles et responsabilités de chacun ;\n"
            "- d'élaborer le cadre de fonctionnement du projet : organisation du travail "
            "(disponibilité des acteurs dans chaque ESMS), calendrier des instances (COPIL, "
            "comité de suivi opérationnel, ateliers)."
        ),
        "contenu": (
            "- Décliner le présent plan projet type en un calendrier propre à la grappe : pour "
            "chacune des étapes, tâches, échéances, responsables et livrables attendus.\n"
            "- Identifier les jalons principaux, dont les décisions de go / no go prononcées "
            "par le COPIL : approbation de la note de cadrage, validation du cahier des "
            "charges, choix de la solution, prononcé de la recette et démarrage, puis bilan.\n"
            "- Intégrer les contraintes externes : calendrier de l'appel à projets et de la "
            "convention avec l'ARS, délais de la procédure d'achat (SAD du RESAH), mesure "
            "mensuelle des indicateurs d'usage dont dépend le second versement de la "
            "subvention.\n"
            "- Fixer le calendrier des instances (COPIL, comité de suivi opérationnel, ateliers "
            "thématiques) et leurs règles de fonctionnement : préparation des supports, "
            "transmission des comptes rendus dans un délai de 8 jours ouvrés, validation par le "
            "COPIL avant diffusion aux membres de la grappe et du comité de suivi.\n"
            "- Organiser le travail : disponibilité des référents dans chaque ESMS, compte tenu "
            "des plannings des équipes et des congés.\n"
            "- Définir, le cas échéant, les vagues successives de déploiement (par module "
            "fonctionnel, par ESMS ou par organisme gestionnaire).\n"
            "- Consolider la note de cadrage (objectifs et périmètre, équipe-projet et "
            "gouvernance, calendrier) et la soumettre à l'approbation du COPIL."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant), qui élabore le calendrier.\n"
            "- Équipe-projet (référents DUI, métier et fonctionnels), qui le partage et "
            "l'ajuste.\n"
            "- COPIL, qui approuve la note de cadrage et son calendrier."
        ),
        "outils_methodes": (
            "- Le présent plan projet type et le calendrier résumant les étapes du projet.\n"
            "- Une réunion de l'équipe-projet devant permettre de partager et d'ajuster le "
            "présent plan projet type au contexte de la grappe.\n"
            "- Une planification rigoureuse et suivie des livrables et des jalons (go / no go), "
            "tenue à jour tout au long du projet (rapport d'avancement).\n"
            "- La réunion du COPIL qui approuve la note de cadrage."
        ),
        "documents_produits": (
            "Note de cadrage : calendrier du projet, avec les principaux jalons, et calendrier "
            "des instances. La note de cadrage consolidée (objectifs et périmètre, "
            "équipe-projet et gouvernance, calendrier) est approuvée par le COPIL : elle "
            "constitue le document de référence pour le déroulement du projet."
        ),
        "facteurs_cles_succes": (
            "La mise en œuvre des différents modules fonctionnels peut être envisagée par "
            "vagues successives, afin de garantir un démarrage au plus tôt avec un périmètre "
            "fonctionnel suffisant, progressivement complété au cours de vagues ultérieures. "
            "Dans une grappe, le déploiement peut de même être organisé par vagues d'ESMS, en "
            "commençant par des sites pilotes volontaires.\n\n"
            "Le projet s'inscrit dans le temps long (deux ans au minimum) : prévoir des marges, "
            "notamment pour la procédure d'achat, et assurer la traçabilité des décisions pour "
            "faire face au renouvellement des acteurs."
        ),
        "livrables": [
            {
                "code": "note_cadrage",
                "titre": (
                    "Note de cadrage consolidée : calendrier, jalons principaux et cadre de "
                    "fonctionnement"
                ),
                "validation_copil": True,
            },
        ],
        "duree_semaines": 2,
        "jalon": {
            "titre": "Note de cadrage approuvée par le COPIL",
            "go_no_go": True,
        },
    },
    # Étape 4 (phase 2 : Définition du projet)
    {
        "numero": 4,
        "phase": 2,
        "titre": "Réaliser une étude de l'existant",
        "objectifs": (
            "Cette étape consiste à dresser un diagnostic fonctionnel, technique et "
            "organisationnel de chaque ESMS et de la grappe.\n\n"
            "L'analyse de l'existant est destinée au futur prestataire, pour l'informer sur le "
            "cadre technique et les contraintes du projet et mieux identifier les besoins. À ce "
            "titre, elle doit être formalisée dans le cahier des charges produit par le porteur "
            "de projet (cf. étape 8)."
        ),
        "contenu": (
            "1. Réaliser un état des lieux de l'organisation\n\n"
            "- Organismes gestionnaires (FINESS juridique) et ESMS de la grappe (FINESS "
            "géographique, catégorie, adresse) ; date d'ouverture ou, pour un ESMS en projet, "
            "date prévisionnelle d'ouverture.\n"
            "- Statut juridique de chaque organisme gestionnaire et modalités de la coopération "
            "(porteur, convention de coopération).\n"
            "- Nombre et métiers (soin, éducatif, social, administratif, encadrement, etc.) des "
            "professionnels utilisateurs du futur DUI et perspective à cinq ans (si des "
            "arrivées ou des départs, des créations ou des regroupements de services sont "
            "d'ores et déjà prévus).\n"
            "- Nombre de sites géographiques sur lesquels sont répartis les ESMS, nombre et "
            "métiers des professionnels exerçant sur chacun des sites, modes d'intervention (en "
            "établissement, à domicile, en milieu ordinaire).\n"
            "- Nombre de secrétariats, de postes de soins et de postes de travail à équiper ; "
            "besoins en équipements mobiles.\n"
            "- Nombre de personnes accompagnées par chaque ESMS (capacité autorisée, file "
            "active) et nombre total de personnes accompagnées par la grappe.\n"
            "- Principales caractéristiques des publics accompagnés et accompagnements faisant "
            "l'objet de modalités particulières (ex. : soins, accueil de jour, interventions à "
            "domicile, troubles du comportement, etc.).\n\n"
            "2. Réaliser un diagnostic de l'existant informatique\n\n"
            "- Maturité de l'organisation et pratiques actuelles :\n"
            "  - nombre d'ESMS et de professionnels déjà informatisés, logiciels métier "
            "utilisés (DUI existant, dossier de soins, agenda...) et fonctions couvertes par "
            "ces logiciels ;\n"
            "  - préexistence de pratiques voire d'outils de coordination entre professionnels "
            "et entre ESMS ;\n"
            "  - qualité du recueil et de la saisie de l'information par les professionnels "
            "utilisateurs d'un logiciel métier (dossiers papier, doubles saisies...).\n"
            "- Postes de travail actuellement utilisés par les professionnels et les personnels "
            "administratifs : nombre, environnement, équipements mobiles.\n"
            "- Principaux logiciels utilisés (navigateur web notamment) et logiciels avec "
            "lesquels le DUI devra échanger (gestion administrative, facturation, ressources "
            "humaines...).\n"
            "- Environnement technique de l'éventuel serveur déjà utilisé, sur lequel "
            "fonctionnent les logiciels métier actuels, et mode d'hébergement.\n"
            "- Caractéristiques du réseau local (dont la couverture Wi-Fi des lieux de vie et "
            "de soins).\n"
            "- Caractéristiques du réseau de télécommunication (téléphonie, connexion internet "
            ": débits montant et descendant garantis) sur chaque site.\n"
            "- Prérequis réglementaires et de sécurité : conformité au RGPD, désignation d'un "
            "DPO, identitovigilance et identifiant national de santé (INS), messagerie "
            "sécurisée de santé.\n\n"
            "3. Qualifier les relations des ESMS avec les acteurs du territoire\n\n"
            "- Échanges d'informations avec les différents acteurs (médecins traitants et "
            "intervenants libéraux, pharmacies, laboratoires, établissements de santé, HAD, "
            "dispositifs d'appui à la coordination, MDPH, conseil départemental, autres "
            "ESMS...).\n"
            "- Inscription des ESMS dans un ou plusieurs projets de télémédecine ou de "
            "coordination de parcours.\n\n"
            "Ces besoins s'appuient sur l'utilisation du DMP (Mon espace santé) et de la "
            "messagerie sécurisée de santé (MSSanté)."
        ),
        "acteurs": (
            "- Référents DUI et référents métier de chaque ESMS (éventuellement assistés par "
            "l'AMOA si une AMOA a été retenue).\n"
            "- Services informatiques des organismes gestionnaires, ou leurs prestataires "
            "informatiques, pour le diagnostic technique.\n"
            "- Chef de projet interne, qui consolide le diagnostic à l'échelle de la grappe."
        ),
        "outils_methodes": (
            "- Chaque professionnel est sollicité par le référent métier de son métier ou par "
            "le référent DUI de son ESMS (questionnaire commun à tous les ESMS, entretiens, "
            "visites de sites).\n"
            "- Les autodiagnostics de maturité SI réalisés par chaque coopérateur lors de la "
            "candidature sont repris et actualisés.\n"
            "- L'équipe-projet formalise le paragraphe du cahier des charges relatif à "
            "l'analyse de l'existant (cf. étape 8)."
        ),
        "documents_produits": (
            "Paragraphe du cahier des charges relatif à l'analyse de l'existant "
            "organisationnel, fonctionnel et technique de la grappe et de chacun de ses ESMS."
        ),
        "facteurs_cles_succes": (
            "- Formaliser l'analyse de l'existant directement dans le cahier des charges final, "
            "en prenant comme base le paragraphe de présentation de la grappe du modèle de "
            "cahier des charges retenu (le cas échéant, celui du kit de consultation du RESAH).\n"
            "- Utiliser un même canevas de recueil pour tous les ESMS, afin de pouvoir "
            "consolider les données à l'échelle de la grappe : tableau des organismes "
            "gestionnaires avec leur FINESS juridique, des ESMS avec leur FINESS géographique, "
            "leur code postal et leur ville."
        ),
        "livrables": [
            {
                "code": "cdc_existant",
                "titre": (
                    "Paragraphe du cahier des charges sur l'existant (organisationnel, "
                    "fonctionnel et technique)"
                ),
                "validation_copil": False,
            },
        ],
        "duree_semaines": 6,
        "jalon": None,
    },
    # Étape 5 (phase 2 : Définition du projet)
    {
        "numero": 5,
        "phase": 2,
        "titre": "Identifier les prestataires potentiels et analyser l'offre existante",
        "objectifs": (
            "Cette étape a pour objectifs d'identifier les prestataires potentiels et d'adapter "
            "l'expression des besoins à la lumière de l'état du marché, pour préparer la "
            "rédaction du cahier des charges."
        ),
        "contenu": (
            "- Identifier les éditeurs existant sur le marché et répondant globalement aux "
            "besoins fonctionnels des ESMS de la grappe :\n"
            "  - éditeurs de DUI référencés Ségur (couloir médico-social) publiés par l'Agence "
            "du numérique en santé et, pour les domaines « personnes âgées », « personnes en "
            "situation de handicap » et « domicile », éditeurs admis au système d'acquisition "
            "dynamique (SAD) du RESAH ;\n"
            "  - recherches Internet ;\n"
            "  - prise de contact avec les correspondants commerciaux des logiciels déjà "
            "utilisés dans les ESMS de la grappe ;\n"
            "  - sollicitation du GRADeS, de l'ARS, du collectif SI médico-social régional et "
            "des fédérations du secteur.\n"
            "- Rencontrer les éditeurs identifiés et organiser des démonstrations générales de "
            "leurs solutions.\n"
            "- Organiser des visites d'ESMS ou de grappes de taille et d'organisation "
            "similaires, déjà équipés."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant : le sourcing des éditeurs fait "
            "partie de la mission « projet »).\n"
            "- Référents DUI et référents métier (pour les visites et, le cas échéant, les "
            "démonstrations)."
        ),
        "outils_methodes": (
            "Recherches, prises de contact, rencontres, démonstrations, visites. Une grille "
            "d'observation commune permet de comparer les solutions vues par les différents "
            "participants."
        ),
        "documents_produits": (
            "Bilan de l'étude du marché :\n"
            "- domaines fonctionnels couverts / non couverts par les solutions étudiées ;\n"
            "- points forts / points faibles de chaque solution étudiée."
        ),
        "facteurs_cles_succes": (
            "- Écarter dès cette étape les solutions ne répondant pas aux besoins, afin de "
            "concentrer l'expression des besoins sur ce que le marché peut offrir. Hors SAD, ne "
            "pas les consulter ; dans le cadre du SAD, tous les éditeurs admis dans la "
            "catégorie concernée seront invités à soumissionner (cf. étape 9).\n"
            "- Mener ce sourcing dans le respect des règles de la commande publique : les "
            "échanges avec les éditeurs servent à ajuster le cahier des charges ; ils ne "
            "doivent ni fausser la concurrence ni avantager un candidat lors de la "
            "consultation.\n"
            "- Vérifier le référencement Ségur des solutions étudiées et leur compatibilité "
            "avec le DMP et la MSSanté."
        ),
        "livrables": [
            {
                "code": "bilan_etude_marche",
                "titre": "Bilan de l'étude du marché",
                "validation_copil": True,
            },
        ],
        "duree_semaines": 4,
        "jalon": None,
    },
    # Étape 6 (phase 2 : Définition du projet)
    {
        "numero": 6,
        "phase": 2,
        "titre": "Qualifier et formaliser les besoins fonctionnels et techniques",
        "objectifs": (
            "Cette étape vise à :\n"
            "- qualifier de façon précise les besoins actuels et à venir des utilisateurs et "
            "leurs préférences et souhaits fonctionnels, ergonomiques et techniques, pour "
            "l'ensemble du périmètre du projet défini à l'étape 1 ;\n"
            "- identifier les besoins non initialement inclus dans le périmètre du projet.\n\n"
            "Ces travaux constitueront la base du cahier des charges."
        ),
        "contenu": (
            "1. Étude et qualification des besoins fonctionnels\n\n"
            "Les besoins fonctionnels auxquels le DUI doit répondre correspondent à ceux issus "
            "de la pratique de chaque métier et à ceux associés au fonctionnement des ESMS et "
            "de la grappe. Il s'agit donc, pour l'ensemble du périmètre fonctionnel défini à "
            "l'étape 1, de décrire les besoins propres à chaque métier et les besoins "
            "transversaux en termes de données (définitions, règles de gestion...), de "
            "fonctionnalités (descriptions, enchaînements...) et d'ergonomie (présentation à "
            "l'écran, éditions).\n\n"
            "Les besoins propres à chaque métier couvrent les fonctions et fonctionnalités "
            "utilisées dans la pratique de chaque catégorie de professionnels (soin, éducatif, "
            "social, administratif...) et, le cas échéant, les spécificités de chaque type "
            "d'ESMS (hébergement, domicile, enfance, adultes...).\n\n"
            "Ils doivent être décrits en s'appuyant sur les expériences acquises par les "
            "professionnels dans l'utilisation des outils existants et consolidés au niveau de "
            "la grappe. Parmi ceux-ci, les besoins prioritaires doivent être identifiés : ils "
            "feront l'objet d'un arbitrage au moment du choix de la solution pour déterminer, "
            "lorsqu'ils ne sont pas couverts, s'il convient de recourir à une solution "
            "complémentaire adaptée à des spécificités métier absentes de la solution commune.\n\n"
            "Les besoins collectifs transversaux couvrent le périmètre suivant :\n"
            "- module de gestion administrative et de partage du dossier de la personne "
            "accompagnée : contenu, présentation (vue de synthèse) et ergonomie ;\n"
            "- module de coordination de l'accompagnement (projet personnalisé, évaluations, "
            "transmissions, événements, dossier de soins) et outils de planification (agenda, "
            "gestionnaire de tâches, planification des interventions et des rendez-vous, "
            "formulaires et alertes) ;\n"
            "- fonctions de paramétrage :\n"
            "  - pour les accès et habilitations (par métier, par ESMS, par statut : salariés, "
            "intervenants libéraux, vacataires, stagiaires, etc.),\n"
            "  - pour les préférences de présentation, d'édition et d'ergonomie,\n"
            "  - pour les alertes,\n"
            "  - pour le calcul d'indicateurs d'activité et de pilotage, dont les indicateurs "
            "d'usage du programme ESMS numérique,\n"
            "  - pour les outils de planification (agenda, gestionnaire de tâches),\n"
            "  - pour l'outil de facturation, le cas échéant ;\n"
            "- recueil du consentement ou de l'opposition de la personne accompagnée et gestion "
            "de l'information qui lui est due : partage d'informations entre professionnels des "
            "ESMS, alimentation du DMP, transmission sécurisée de données vers l'extérieur, "
            "identification par l'INS ;\n"
            "- fonctions de facturation, le cas échéant ;\n"
            "- fonctions d'aide au pilotage (calculs d'indicateurs, états), à l'échelle de "
            "l'ESMS, de l'organisme gestionnaire et de la grappe ;\n"
            "- fonctions d'échanges internes (messagerie interne) ;\n"
            "- fonctions d'échanges externes (MSSanté, DMP / Mon espace santé, télémédecine, "
            "échanges avec les partenaires, etc.).\n\n"
            "Pour permettre aux prestataires de comprendre au mieux ces besoins collectifs "
            "transversaux, les processus et modes opératoires attendus en matière de "
            "circulation et de partage d'information entre professionnels et entre ESMS de la "
            "grappe doivent impérativement être définis dès cette étape.\n\n"
            "2. Préférence d'une architecture technique\n\n"
            "La grappe peut faire le choix d'internaliser ou d'externaliser l'environnement "
            "technique. Dans le premier cas, les matériels nécessaires (serveur, réseau) sont "
            "implantés dans un ESMS ou chez un organisme gestionnaire et requièrent la mise en "
            "place de procédures d'exploitation, la sécurisation et la maintenance de ces "
            "matériels. Dans le second cas, les données sont hébergées par le prestataire, "
            "nécessairement certifié pour l'hébergement de données de santé (HDS).\n\n"
            "Le choix de la solution à privilégier dépend :\n"
            "- du caractère multi-sites de la grappe (plusieurs ESMS, un ou plusieurs "
            "organismes gestionnaires) ;\n"
            "- du matériel déjà existant et des équipements à acquérir ;\n"
            "- de la qualité du réseau de télécommunication sur le territoire de chaque ESMS "
            "(débits garantis, stabilité du réseau...) ;\n"
            "- de la volonté des coopérateurs en matière de modalités d'achat : facturation à "
            "l'utilisation (mode service, facturation couvrant l'ensemble des prestations "
            "permettant à l'utilisateur de se servir de la solution logicielle) ou facturation "
            "par poste (droits d'usage de la solution, maintenance de la solution, hébergement "
            "/ exploitation de la solution).\n\n"
            "Externalisation de l'hébergement :\n"
            "- avantages : pas de contrainte de gestion et de maintenance du serveur ; "
            "facturation simplifiée à l'utilisation (mode service) ;\n"
            "- inconvénients : dépendance accrue à la qualité du réseau de télécommunication "
            "(risques de pannes ou de dysfonctionnements liés à des défaillances du réseau), "
            "nécessitant selon les technologies utilisées le recours à une connexion à haut "
            "débit.\n\n"
            "Internalisation de l'hébergement :\n"
            "- avantages : plus faible dépendance à la qualité du réseau de télécommunication, "
            "risques d'indisponibilité de la solution plus limités (par combinaison de postes "
            "en réseau local et de postes en accès distant) ;\n"
            "- inconvénients : acquisition, gestion et maintenance du serveur à assurer en "
            "interne (ou par un prestataire)."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant).\n"
            "- Référents métier et référents DUI des ESMS (pour les besoins fonctionnels).\n"
            "- Services informatiques des organismes gestionnaires (pour les préférences "
            "techniques)."
        ),
        "outils_methodes": (
            "Besoins fonctionnels :\n"
            "- recensement précis et priorisation des besoins fonctionnels de chaque métier au "
            "cours de groupes de travail (ateliers) organisés par les référents métier et "
            "associant des professionnels de plusieurs ESMS ;\n"
            "- recensement des besoins fonctionnels transversaux au cours de groupes de travail "
            "organisés par le chef de projet (et l'AMOA si une AMOA a été retenue) ;\n"
            "- synthèse des besoins fonctionnels au cours d'une réunion de travail chef de "
            "projet / AMOA / référents métier, et formalisation dans une grille hiérarchisée "
            "des fonctionnalités requises, qui sera annexée au cahier des charges.\n\n"
            "Préférences techniques :\n"
            "- étude des besoins réalisée en fonction des moyens déjà existants, des "
            "contraintes et des préférences des ESMS.\n\n"
            "Les modèles disponibles (cahier des charges type, exemples de grille de "
            "fonctionnalités, ressources de l'ANAP sur les fonctions d'un dossier de l'usager à "
            "informatiser) sont maximalistes. Ils ont vocation à être adaptés aux besoins "
            "identifiés (compléments, amendements, suppression ou ajout de fonctionnalités)."
        ),
        "documents_produits": (
            "- Paragraphes du cahier des charges relatifs aux besoins fonctionnels et grille "
            "hiérarchisée des fonctionnalités requises, à annexer au cahier des charges.\n"
            "- Paragraphes du cahier des charges relatifs aux exigences et préférences "
            "techniques.\n\n"
            "En cas de recours à une AMOA, la formalisation de ces documents doit lui être "
            "confiée. La grille hiérarchisée, qui arbitre les priorités entre les ESMS, est "
            "validée par le COPIL."
        ),
        "facteurs_cles_succes": (
            "Besoins fonctionnels :\n"
            "- Utiliser comme base un exemple de grille hiérarchisée des fonctionnalités "
            "requises et la compléter par une liste priorisée de fonctionnalités attendues par "
            "métier.\n"
            "- Maîtriser la créativité des groupes de travail, composés des futurs "
            "utilisateurs, pour éviter d'avoir recours à des développements spécifiques, source "
            "de coûts supplémentaires et d'une maintenabilité plus complexe de la solution "
            "proposée : savoir « raisonner » l'expression de besoin, en la confrontant "
            "notamment aux fonctionnalités offertes par les solutions du marché.\n"
            "- Prendre en compte dans l'expression des besoins l'existant sur le marché (cf. "
            "étape 5).\n"
            "- Définir un niveau de priorité pour chaque fonctionnalité, afin de pouvoir "
            "procéder aux arbitrages requis si toutes les fonctionnalités souhaitées n'étaient "
            "pas couvertes de façon également satisfaisante par les solutions identifiées.\n"
            "- Ne pas anticiper la solution : le besoin ne se résume pas à « il nous faut un "
            "DUI ».\n\n"
            "Préférences techniques :\n"
            "- Utiliser comme base le modèle de cahier des charges retenu.\n"
            "- Sauf contre-indication liée à l'existant informatique ou au réseau de "
            "télécommunication, préférer une architecture externalisée (hébergement certifié "
            "HDS), car elle dégage les ESMS des contraintes d'exploitation et de fonctionnement "
            "et leur permet d'utiliser le DUI en mode service, minimisant de fait les "
            "contraintes associées pour la maîtrise d'ouvrage."
        ),
        "livrables": [
            {
                "code": "cdc_besoins_fonctionnels",
                "titre": "Paragraphes du cahier des charges sur les besoins fonctionnels",
                "validation_copil": False,
            },
            {
                "code": "grille_fonctionnalites",
                "titre": "Grille hiérarchisée des fonctionnalités requises",
                "validation_copil": True,
            },
            {
                "code": "cdc_exigences_techniques",
                "titre": (
                    "Paragraphes du cahier des charges sur les exigences et préférences techniques"
                ),
                "validation_copil": False,
            },
        ],
        "duree_semaines": 8,
        "jalon": None,
    },
    # Étape 7 (phase 2 : Définition du projet)
    {
        "numero": 7,
        "phase": 2,
        "titre": "Définir les prestations attendues",
        "objectifs": (
            "Cette étape vise à définir les prestations attendues de la part de la MOE (éditeur "
            "/ intégrateur) une fois celle-ci sélectionnée par la maîtrise d'ouvrage. Ces "
            "prestations couvrent les étapes de réalisation (spécification, installation, "
            "paramétrages, recette...) puis de formation, d'assistance au démarrage, de "
            "maintenance et d'exploitation de la solution, ainsi que les prestations "
            "complémentaires susceptibles d'être commandées après l'installation initiale "
            "(reprise de données en cas d'arrivée d'un nouvel ESMS dans la grappe, formation "
            "des nouveaux arrivants... cf. étape 18)."
        ),
        "contenu": (
            "Il s'agit de définir les attentes de la maîtrise d'ouvrage et les exigences "
            "vis-à-vis de la MOE en termes :\n"
            "- de pilotage global du projet ;\n"
            "  - exemples : désignation d'un chef de projet MOE, composition d'une équipe de "
            "pilotage, formalisation d'un dispositif qualité, participation aux instances de la "
            "grappe ;\n"
            "- de préparation de la mise en œuvre ;\n"
            "  - exemples : prise de connaissance du contexte de la grappe et de chaque ESMS, "
            "analyse et approfondissement des besoins fonctionnels, ateliers de conception, "
            "spécification détaillée des fonctionnalités à paramétrer, formation de base de "
            "l'équipe-projet ;\n"
            "- d'installation et de paramétrages de la solution, conformément aux "
            "spécifications (et, le cas échéant, de réalisation des développements "
            "complémentaires) ;\n"
            "- de reprise de données ;\n"
            "  - il conviendra de cibler précisément en amont les données à reprendre, les "
            "bases de données et logiciels sources de chaque ESMS, et de définir les formats de "
            "la reprise de ces données, afin de préciser les exigences associées dans le cahier "
            "des charges ; par ailleurs, il pourra être demandé au fournisseur d'intégrer, "
            "après la phase de démarrage, les données d'un ESMS ou d'un service rejoignant la "
            "grappe ;\n"
            "- de recette fonctionnelle et technique ;\n"
            "  - exemples : composition d'un comité de recette se réunissant chaque semaine "
            "pendant la période de recette, formalisation d'un compte rendu de recette, "
            "association ou non des futurs utilisateurs à la recette fonctionnelle (ou appui "
            "sur l'AMOA ou directement sur la MOE pour l'exécution de tout ou partie de "
            "celle-ci), recette réalisée lors des sessions de formation des administrateurs "
            "(chef de projet et référents ou prestataire externe)... ;\n"
            "- de formation des utilisateurs (consigner les exigences au sein d'un plan de "
            "formation) ;\n"
            "  - exemples : usage de l'e-learning, formation générale de tous les utilisateurs "
            "(nombre de sessions de formation collectives, par ESMS ou par métier), formation "
            "des personnels administratifs et d'accueil, formation approfondie du chef de "
            "projet et des référents DUI, métier et fonctionnels (session de formation aux "
            "paramétrages et aux opérations simples de maintenance...), formation de "
            "formateurs, d'administrateurs fonctionnels... ;\n"
            "- d'assistance au démarrage ;\n"
            "  - exemples : présence d'un représentant de la MOE sur site pendant la première "
            "semaine de fonctionnement de chaque ESMS ou assistance téléphonique dédiée à "
            "l'accompagnement des utilisateurs, rapidité d'intervention et de résolution des "
            "anomalies (niveau de service attendu, à préciser au cahier des charges) ;\n"
            "- d'exploitation, de maintenance de la solution et de support aux utilisateurs ;\n"
            "  - exemples : engagements de la MOE en matière de garantie de bon fonctionnement "
            "(disponibilité, intégrité, confidentialité, accessibilité), délais d'intervention "
            "pour des anomalies majeures ou mineures, durée de la garantie et de la période de "
            "maintenance, utilité et modalités du support aux utilisateurs (« hotline »), "
            "niveaux de service attendus, à préciser au cahier des charges ;\n"
            "- de réversibilité totale en fin de contrat, ou partielle en cas de retrait d'un "
            "coopérateur ou d'un ESMS de la grappe pendant la durée d'exécution du contrat ;\n"
            "  - exemple : il pourra être demandé au fournisseur de définir une prestation "
            "forfaitaire correspondant à la fourniture d'un fichier d'extraction représentant "
            "l'ensemble des données (dossiers et pièces jointes) dans un format tabulaire, "
            "accompagné d'une documentation descriptive des formats utilisés ; cette prestation "
            "pourra être commandée pour un ou plusieurs ESMS et les règles d'évolution de son "
            "tarif dans le temps seront précisées.\n\n"
            "Par ailleurs, les prestations complémentaires qui pourraient être demandées au "
            "fournisseur après la mise en œuvre de la solution doivent être désignées dès "
            "maintenant. Il peut s'agir par exemple des besoins nouveaux liés à l'arrivée ou au "
            "départ d'ESMS ou de professionnels (reprises de données, réversibilité, sessions "
            "de formation complémentaires, nouveaux paramétrages, etc.).\n\n"
            "Les engagements demandés au fournisseur en matière de prestations complémentaires "
            "sont à définir (ex. : nombre d'années après la mise en œuvre pendant lesquelles le "
            "fournisseur s'engage à répondre aux demandes complémentaires, coût de ces "
            "prestations, inclus ou non dans le contrat de base, etc.)."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant).\n"
            "- Référents métier et référents fonctionnels.\n"
            "- Référents DUI des ESMS, pour les modalités de déploiement et de formation "
            "propres à chaque site."
        ),
        "outils_methodes": (
            "Le modèle de cahier des charges retenu (pour les domaines relevant du SAD, les "
            "pièces du kit de consultation du RESAH) peut constituer une base utile pour la "
            "définition et la formalisation des prestations attendues et des exigences "
            "vis-à-vis de la MOE. Il doit toutefois être adapté aux besoins et attentes de la "
            "grappe.\n\n"
            "Une à deux réunions de travail de l'équipe-projet permettront de compléter et "
            "d'amender ce cahier des charges en fonction des besoins et préférences des ESMS.\n\n"
            "En cas de recours à une AMOA, la formalisation de ces documents peut lui être "
            "confiée."
        ),
        "documents_produits": (
            "Partie du cahier des charges relative aux prestations attendues et aux exigences "
            "vis-à-vis de la MOE (dont plan de formation, niveaux de service, réversibilité et "
            "prestations complémentaires)."
        ),
        "facteurs_cles_succes": (
            "- Les prestations réalisées par la MOE dans le cadre de la mise en œuvre d'un "
            "projet SI sont primordiales pour la qualité et la réussite du projet. C'est "
            "pourquoi la qualification et la formalisation des attentes de la maîtrise "
            "d'ouvrage (notamment maintenance, formation et assistance) doivent être "
            "respectivement précises et claires.\n"
            "- Il est recommandé de s'appuyer sur des retours d'expérience de mise en œuvre de "
            "DUI dans d'autres ESMS ou d'autres grappes, afin d'éviter les écueils et de "
            "prévenir certains risques. À cette fin, le chef de projet peut se rapprocher du "
            "GRADeS, du collectif SI médico-social régional, de l'ANAP ou des fédérations du "
            "secteur."
        ),
        "livrables": [
            {
                "code": "cdc_prestations",
                "titre": (
                    "Paragraphes du cahier des charges sur les prestations attendues de la MOE"
                ),
                "validation_copil": False,
            },
        ],
        "duree_semaines": 3,
        "jalon": None,
    },
    # Étape 8 (phase 2 : Définition du projet)
    {
        "numero": 8,
        "phase": 2,
        "titre": "Formaliser le cahier des charges",
        "objectifs": (
            "Cette étape vise à formaliser le cahier des charges et ses annexes, synthèse des "
            "travaux réalisés aux étapes précédentes, décrivant les caractéristiques "
            "obligatoires ou souhaitées de la solution, les prestations attendues et les "
            "exigences vis-à-vis de la MOE. La bonne formalisation de ce cahier des charges est "
            "primordiale, dans la mesure où ce document sert de base au marché signé entre le "
            "porteur, acheteur pour le compte des coopérateurs, et le prestataire retenu. Seuls "
            "les éléments y figurant explicitement sont opposables au fournisseur retenu."
        ),
        "contenu": (
            "1. Le cahier des charges est composé des parties suivantes :\n"
            "- contexte, objectifs et périmètre du projet (arrêtés lors des étapes 1 et 4 de la "
            "présente démarche projet) : présentation de la grappe, des organismes "
            "gestionnaires et des ESMS concernés ;\n"
            "- spécifications générales (fonctionnalités attendues) de l'application cible "
            "(étape 6) ;\n"
            "- description de l'architecture technique privilégiée (étape 6) ;\n"
            "- prestations demandées (étape 7) :\n"
            "  - définition et mise en œuvre des spécifications détaillées (paramétrages),\n"
            "  - modalités de déploiement dans les ESMS et planning prévisionnel,\n"
            "  - reprise éventuelle des données existantes,\n"
            "  - recette de l'application,\n"
            "  - formation et assistance au démarrage : description des modalités,\n"
            "  - maintenance et support aux utilisateurs,\n"
            "  - réversibilité et prestations complémentaires attendues après mise en œuvre de "
            "la solution ;\n"
            "- clauses administratives (durée du contrat, tarification...).\n\n"
            "2. Les annexes au cahier des charges sont (a minima) :\n"
            "- la grille hiérarchisée des fonctionnalités requises ;\n"
            "- un cadre de réponse reprenant les besoins fonctionnels exprimés, les préférences "
            "techniques et les prestations exigées, à remplir par le prestataire consulté.\n\n"
            "3. Le dossier de consultation\n\n"
            "Pour une acquisition relevant des domaines « personnes âgées », « personnes en "
            "situation de handicap » et « domicile », le DUI est choisi après une mise en "
            "concurrence via le système d'acquisition dynamique (SAD) du RESAH. Le cahier des "
            "charges s'insère alors dans le dossier de consultation établi à partir du kit "
            "fourni par le RESAH : les pièces (invitation à soumissionner, acte d'engagement, "
            "CCAP, cahier des clauses techniques) sont rédigées et adaptées à la grappe avec "
            "l'appui de l'AMOA « marché », puis relues au cours d'ateliers de relecture. Les "
            "critères de sélection et leur pondération (cf. étape 11) sont fixés dès ce stade, "
            "car ils doivent figurer dans les documents de la consultation.\n\n"
            "4. La validation\n\n"
            "Le cahier des charges et ses annexes sont validés par le COPIL avant le lancement "
            "de la consultation : cette validation constitue un jalon de go / no go."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant : en cas de recours à une AMOA, "
            "la formalisation finale du cahier des charges et de ses annexes peut lui être "
            "confiée).\n"
            "- Porteur de projet, acheteur pour le compte des coopérateurs.\n"
            "- Référents DUI, métier et fonctionnels, pour la relecture.\n"
            "- COPIL, qui valide le cahier des charges."
        ),
        "outils_methodes": (
            "Le cahier des charges final doit correspondre précisément aux besoins identifiés. "
            "Les modèles de cahier des charges sont maximalistes et doivent donc être "
            "complétés, amendés, élagués, notamment pour ce qui concerne les fonctionnalités "
            "requises (modèle de grille des fonctionnalités requises), les préférences "
            "techniques et les prestations attendues.\n\n"
            "- Ateliers de relecture des pièces, pour validation (mission « marché » de "
            "l'AMOA).\n"
            "- Le cas échéant, formule de relecture des pièces administratives proposée par le "
            "RESAH.\n"
            "- Réunion du COPIL qui valide le cahier des charges."
        ),
        "documents_produits": (
            "Cahier des charges et ses annexes (notamment grille des fonctionnalités et cadre "
            "de réponse, qui peuvent être confondus), intégrés au dossier de consultation."
        ),
        "facteurs_cles_succes": (
            "- Intégrer une retranscription détaillée des besoins propres à la grappe dans le "
            "cahier des charges. Éviter un cahier des charges trop généraliste ou ne traduisant "
            "que partiellement ou imparfaitement les besoins de l'acheteur. Toute zone "
            "d'imprécision ou demande non formalisée risque en effet d'engendrer des surcoûts "
            "liés à l'appréciation par les soumissionnaires du manque de maturité du projet "
            "(caractère inabouti de l'expression de besoin).\n"
            "- Annexer également au cahier des charges les éléments utiles des projets "
            "d'établissement ou de service et la présentation de la coopération (porteur, "
            "coopérateurs, gouvernance), sans y faire figurer d'informations confidentielles.\n"
            "- Assurer une relecture globale du cahier des charges par les référents.\n"
            "- Solliciter une relecture externe du cahier des charges : formule de relecture "
            "des pièces administratives du RESAH, GRADeS ou collectif SI médico-social "
            "régional."
        ),
        "livrables": [
            {
                "code": "cahier_des_charges",
                "titre": (
                    "Cahier des charges et annexes (grille des fonctionnalités, cadre de réponse)"
                ),
                "validation_copil": True,
            },
            {
                "code": "cadre_reponse",
                "titre": "Cadre de réponse à remplir par les candidats",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 4,
        "jalon": {
            "titre": "Cahier des charges validé par le COPIL",
            "go_no_go": True,
        },
    },
    # Étape 9 (phase 3 : Choix de la solution)
    {
        "numero": 9,
        "phase": 3,
        "titre": "Lancer une consultation",
        "objectifs": (
            "L'objectif de cette étape est de lancer la consultation des éditeurs : mise en "
            "concurrence via le système d'acquisition dynamique (SAD) du RESAH pour une "
            "acquisition relevant des domaines « personnes âgées », « personnes en situation de "
            "handicap » et « domicile » ; consultation des prestataires pré-identifiés au cours "
            "de la première analyse des solutions du marché (étape 5) pour les autres domaines."
        ),
        "contenu": (
            "- Dans le cadre du SAD du RESAH : publier la consultation sur la plateforme de "
            "marchés publics retenue (après création du profil acheteur si nécessaire) et "
            "adresser l'invitation à soumissionner, le cahier des charges et ses annexes "
            "(notamment le cadre de réponse) aux éditeurs admis dans la catégorie concernée.\n"
            "- Hors SAD : informer les prestataires pré-identifiés au cours de l'étude de "
            "marché du lancement de l'appel d'offres et leur adresser une lettre d'appel "
            "d'offres, le cahier des charges et ses annexes (notamment le cadre de réponse), "
            "dans le respect des règles de la commande publique applicables au porteur.\n"
            "- Répondre aux questions des candidats pendant la consultation, en communiquant "
            "les réponses à tous les candidats dans les mêmes conditions."
        ),
        "acteurs": (
            "- Porteur de projet (acheteur), qui lance la consultation pour le compte des "
            "coopérateurs.\n"
            "- Chef de projet interne (et AMOA le cas échéant, au titre de la mission « marché "
            "» : choix de la plateforme, profil acheteur, publication de la consultation, "
            "réponses aux questions)."
        ),
        "outils_methodes": (
            "Le cadre de réponse reprend les besoins fonctionnels exprimés dans le cahier des "
            "charges et invite les candidats à se prononcer sur :\n"
            "- les fonctionnalités couvertes ;\n"
            "- les fonctionnalités non couvertes, mais pouvant faire l'objet de développements "
            "spécifiques (avec l'échéance et le coût du développement) ;\n"
            "- les fonctionnalités impossibles à couvrir ;\n"
            "- le prix global forfaitaire distinguant la fourniture de la solution logicielle, "
            "sa maintenance et les prestations de mise en œuvre, ou le droit d'usage par "
            "utilisateur.\n\n"
            "Pour les domaines relevant du SAD, la procédure s'appuie sur le kit fourni par le "
            "RESAH et sur une plateforme de marchés publics."
        ),
        "documents_produits": (
            "- Lettres d'appel d'offres (ou invitation à soumissionner dans le cadre du SAD).\n"
            "- Cahier des charges.\n"
            "- Cadre de réponse."
        ),
        "facteurs_cles_succes": (
            "- Hors SAD, limiter le nombre de candidats sollicités à cinq (trois étant un "
            "objectif raisonnable) : il est inutile de solliciter les prestataires dont les "
            "solutions ne correspondent pas du tout aux besoins. Dans le cadre du SAD, tous les "
            "éditeurs admis dans la catégorie concernée sont invités à soumissionner : c'est la "
            "précision du cahier des charges et des critères de sélection qui permet d'écarter "
            "les offres inadaptées.\n"
            "- Fixer un délai de réponse dans la lettre d'appel d'offres ou l'invitation à "
            "soumissionner, en laissant aux éditeurs un temps suffisant pour remettre une offre "
            "contextualisée.\n"
            "- Anticiper la charge de dépouillement des offres et clarifier dès le lancement "
            "les modalités de leur analyse (analyse sur pièces, auditions, répartition du "
            "travail entre chef de projet, référents et AMOA)."
        ),
        "livrables": [
            {
                "code": "lettres_appel_offres",
                "titre": "Lettres d'appel d'offres ou invitation à soumissionner (SAD du RESAH)",
                "validation_copil": False,
            },
            {
                "code": "dossier_consultation",
                "titre": (
                    "Dossier de consultation transmis aux candidats (cahier des charges, cadre "
                    "de réponse)"
                ),
                "validation_copil": False,
            },
        ],
        "duree_semaines": 6,
        "jalon": None,
    },
    # Étape 10 (phase 3 : Choix de la solution)
    {
        "numero": 10,
        "phase": 3,
        "titre": "Auditionner les candidats",
        "objectifs": (
            "Cette étape vise à recueillir auprès des candidats des précisions sur leur offre. "
            "Lorsque la procédure retenue et les documents de la consultation le permettent, "
            "l'audition peut également permettre la négociation du prix ou de certaines clauses "
            "contractuelles (durée de la maintenance, réversibilité, etc.). Lorsque les règles "
            "de l'appel d'offres s'appliquent, ce qui est le cas du SAD au-delà des seuils de "
            "procédure formalisée, aucune négociation n'est possible : l'audition sert alors à "
            "obtenir des précisions et à vérifier l'adéquation de la solution aux besoins, sans "
            "modifier les éléments substantiels des offres.\n\n"
            "Si un seul candidat semble répondre aux besoins, au regard des offres reçues, "
            "cette étape est inutile."
        ),
        "contenu": (
            "- Prendre connaissance des offres reçues des candidats, contrôler leur "
            "recevabilité et leur complétude, et identifier les questions et précisions "
            "nécessaires.\n"
            "- Convoquer les candidats ayant répondu à la consultation : deux à trois candidats "
            "peuvent être convoqués ; les éventuels autres candidats répondant le moins bien "
            "aux besoins sont à écarter dès cette étape, selon les modalités annoncées dans les "
            "documents de la consultation.\n"
            "- Conduire les auditions : présentation de l'offre, démonstration de la solution "
            "sur des cas d'usage propres aux ESMS de la grappe, réponses aux questions."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant, au titre de la mission « marché "
            "» : contrôle de la recevabilité et de la complétude des offres, assistance à la "
            "conduite des auditions).\n"
            "- Référents métier et référents DUI des ESMS.\n"
            "- Membres du COPIL qui le souhaitent, ou comité désigné par le COPIL pour les "
            "auditions."
        ),
        "outils_methodes": (
            "- Lettres de convocation précisant le déroulé de l'audition et les questions "
            "posées.\n"
            "- Auditions et démonstrations sur des scénarios préparés par l'équipe-projet.\n"
            "- Grille commune de prise de notes, pour une synthèse homogène des auditions."
        ),
        "documents_produits": (
            "- Synthèse des auditions.\n"
            "- Éventuels compléments aux offres post-auditions (produits par les candidats)."
        ),
        "facteurs_cles_succes": (
            "- Organiser les auditions une fois seulement les offres des candidats reçues, afin "
            "que ces offres servent de document d'entrée aux échanges et que les auditions ne "
            "consistent pas uniquement en présentations généralistes, non contextualisées, des "
            "solutions.\n"
            "- Préparer l'audition des candidats convoqués et en assurer l'animation par le "
            "chef de projet (ou l'AMOA) pour éviter une « démonstration commerciale ».\n"
            "- Poser des questions précises aux candidats (éventuellement transmises au "
            "préalable, au moment de la convocation) et leur demander de préparer l'audition, "
            "pour éviter, encore une fois, une démonstration générique, non contextualisée, ne "
            "permettant pas une prise de décision par la grappe.\n"
            "- Traiter tous les candidats de la même façon (mêmes questions, même durée, mêmes "
            "scénarios de démonstration) et garder une trace des échanges."
        ),
        "livrables": [
            {
                "code": "synthese_auditions",
                "titre": "Synthèse des auditions",
                "validation_copil": False,
            },
            {
                "code": "complements_offres",
                "titre": "Compléments aux offres après les auditions (produits par les candidats)",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 3,
        "jalon": None,
    },
    # Étape 11 (phase 3 : Choix de la solution)
    {
        "numero": 11,
        "phase": 3,
        "titre": "Procéder au choix de la solution",
        "objectifs": (
            "L'objectif de cette étape est d'identifier la solution la plus adaptée, en "
            "adéquation avec la stratégie et l'organisation des ESMS de la grappe (projets "
            "d'établissement ou de service, règlements de fonctionnement), les engagements pris "
            "dans le cadre du programme ESMS numérique et le budget du projet."
        ),
        "contenu": (
            "- Réaliser une analyse des réponses reçues sur la base du cadre de réponse "
            "renseigné par les candidats et des précisions et éléments complémentaires "
            "recueillis lors des auditions, et selon les critères d'évaluation retenus :\n"
            "  - couverture des besoins fonctionnels ;\n"
            "  - proposition d'architecture technique ;\n"
            "  - réponse aux prestations demandées, qualité des prestations ;\n"
            "  - description de la mise en œuvre ;\n"
            "  - coût total : il s'agit de reconstituer le coût total de la solution proposée, "
            "qui peut comporter des coûts « cachés » (matériels requis, période de garantie "
            "réduite, prestations non incluses dans le prix global forfaitaire, etc.). Ces "
            "coûts doivent être évalués sur une durée minimale de trois ans, en incluant la "
            "commande de prestations complémentaires (formation, intégration d'un nouvel ESMS, "
            "prise en compte de besoins complémentaires relatifs aux paramétrages...).\n"
            "- Rédiger le rapport de choix :\n"
            "  - synthèse de l'analyse des offres ;\n"
            "  - classement final établi par notation de chaque offre selon les critères "
            "d'évaluation retenus (seules les offres régulières et acceptables sont classées).\n"
            "- Soumettre le rapport de choix au COPIL, qui valide collégialement le choix de la "
            "solution.\n"
            "- Informer le prestataire retenu et les candidats non retenus.\n"
            "- Signer le marché avec le prestataire retenu (attribution et notification par le "
            "porteur), en s'assurant qu'il tient bien compte des besoins structurants exprimés "
            "au cahier des charges.\n\n"
            "Au cas où la solution envisagée présente des points faibles ou des manques, il est "
            "nécessaire de dialoguer avec le fournisseur, dans les limites permises par la "
            "procédure, afin d'identifier la manière d'y répondre. Les réponses apportées "
            "doivent être formalisées dans le marché signé entre le porteur et le prestataire "
            "retenu.\n\n"
            "Dans l'éventualité où un besoin fonctionnel métier spécifique ne serait pas "
            "couvert par la solution et nécessiterait l'acquisition d'un logiciel "
            "complémentaire, il faut préciser le mode d'intégration fonctionnelle "
            "éventuellement disponible pour minimiser l'impact sur l'utilisabilité de la "
            "solution globale (DUI commun + logiciel de spécialité) pour les utilisateurs "
            "concernés. La solution choisie doit être décrite et sa mise en œuvre garantie par "
            "les deux fournisseurs.\n\n"
            "Il faut ainsi correctement apprécier le risque de choisir une solution généraliste "
            "convenant à tous les ESMS plutôt qu'une solution fonctionnellement plus aboutie, "
            "mais ne couvrant pas toutes les spécificités métier attendues."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant, au titre de la mission « marché "
            "» : dépouillement des offres, grille et rapport d'analyse, rapport de choix) et "
            "référents métier, pour l'analyse détaillée des offres.\n"
            "- COPIL, réunissant les directions des coopérateurs, pour le choix final de la "
            "solution (décision collégiale).\n"
            "- Porteur de projet, qui attribue, signe et notifie le marché pour le compte des "
            "coopérateurs.\n"
            "- Autres acteurs pouvant être associés à l'analyse, tenus à la confidentialité : "
            "GRADeS, collectif SI médico-social régional, personnes qualifiées ayant une "
            "expérience significative sur le sujet..."
        ),
        "outils_methodes": (
            "- Réunions d'analyse des offres.\n"
            "- Entretiens et rencontres complémentaires avec le fournisseur pressenti, "
            "matérialisés par un compte rendu.\n"
            "- Rapport de choix (intégrant la synthèse de l'analyse des offres et le classement "
            "final).\n"
            "- Réunion du COPIL (décision de choix).\n"
            "- Marché (contrat).\n\n"
            "L'analyse comparative des offres nécessite la définition de critères de sélection "
            "par la maîtrise d'ouvrage, annoncés dans les documents de la consultation (cf. "
            "étape 8). Il convient de distinguer :\n"
            "- les critères indispensables (ceux dont le non-respect est rédhibitoire) ;\n"
            "  - par exemple : couverture de certains domaines fonctionnels essentiels, "
            "référencement Ségur du DUI, compatibilité avec le DMP / Mon espace santé et la "
            "MSSanté, certification HDS de l'hébergeur de données de santé, coût global de la "
            "solution, etc. ;\n"
            "- les critères secondaires, devant être hiérarchisés et pondérés ;\n"
            "  - par exemple : architecture technique proposée, couverture de fonctionnalités "
            "secondaires, qualité des prestations (la santé financière de l'entreprise "
            "s'apprécie, dans une procédure de marché public, au stade de la candidature).\n\n"
            "La méthode de notation du prix est fixée à l'avance (par exemple : note maximale × "
            "prix le plus bas ÷ prix de l'offre)."
        ),
        "documents_produits": (
            "- Rapport de choix (grille d'analyse des offres, compte rendu de la réunion "
            "d'analyse des offres, classement final).\n"
            "- Comptes rendus d'entretiens avec les candidats.\n"
            "- Marché notifié au prestataire retenu."
        ),
        "facteurs_cles_succes": (
            "- Choisir un DUI référencé Ségur (couloir médico-social) et compatible avec le DMP "
            "/ Mon espace santé et la MSSanté, afin de pouvoir contribuer à la coordination de "
            "l'accompagnement par le partage des éléments utiles et d'atteindre les cibles "
            "d'usage dont dépend le second versement de la subvention.\n"
            "- Bien vérifier le niveau de version de la solution proposée par chaque éditeur, "
            "ainsi que sa couverture fonctionnelle (types d'ESMS et métiers couverts...).\n"
            "- Privilégier, parmi les critères de sélection, la couverture fonctionnelle par "
            "rapport aux préférences techniques.\n"
            "- Tracer la décision : le rapport de choix validé par le COPIL justifie le choix "
            "auprès des coopérateurs et des financeurs."
        ),
        "livrables": [
            {
                "code": "rapport_choix",
                "titre": "Rapport de choix (grille d'analyse des offres, classement final)",
                "validation_copil": True,
            },
            {
                "code": "cr_entretiens_candidats",
                "titre": "Comptes rendus d'entretiens avec les candidats",
                "validation_copil": False,
            },
            {
                "code": "marche_notifie",
                "titre": "Marché signé et notifié à l'éditeur retenu",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 5,
        "jalon": {
            "titre": "Choix de la solution validé par le COPIL",
            "go_no_go": True,
        },
    },
    # Étape 12 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 12,
        "phase": 4,
        "titre": "Définir et réaliser les paramétrages",
        "objectifs": (
            "Cette étape vise à élaborer les règles de gestion utiles, puis à réaliser les "
            "paramétrages du DUI.\n\n"
            "Elle est partiellement déléguée à la MOE et intervient après l'installation "
            "éventuelle du ou des logiciels et, en cas d'hébergement interne, l'installation et "
            "la configuration du serveur.\n\n"
            "Elle implique en outre la réalisation de certaines actions relatives à la "
            "politique de sécurité et d'habilitation."
        ),
        "contenu": (
            "Les principaux paramétrages à réaliser recouvrent trois types de données ou "
            "domaines fonctionnels :\n"
            "- les fonctionnalités métier spécifiques à chaque métier et à chaque type d'ESMS "
            "(formulaires, trames de projet personnalisé, d'évaluation et de transmissions, "
            "courriers) ;\n"
            "- les utilisateurs et les droits d'accès, qui sous-tendent la définition d'une "
            "politique d'habilitation et de sécurité ;\n"
            "- les indicateurs d'activité, de pilotage et d'évaluation.\n\n"
            "Pour chacun de ces types de données ou domaines fonctionnels, il s'agit de :\n"
            "- documenter le paramétrage (règles de gestion, procédures, description des rôles "
            "en fonction des projets d'établissement ou de service et des règlements de "
            "fonctionnement...) ;\n"
            "- préparer les informations à saisir pour le paramétrage (tables de données) ;\n"
            "- réaliser le paramétrage.\n\n"
            "1. Élaborer les règles de gestion utiles aux paramétrages\n\n"
            "- Le paramétrage des droits d'accès sous-tend la définition d'une politique de "
            "sécurité, de confidentialité et d'habilitation / autorisation : l'accès aux "
            "données doit pouvoir être différencié en fonction des métiers (soin, éducatif, "
            "social, administratif...), des statuts (salariés, intervenants libéraux, "
            "vacataires, stagiaires, personnels administratifs...), de l'ESMS et de l'organisme "
            "gestionnaire d'exercice, ou de l'activité des utilisateurs. Dans une grappe, les "
            "données d'une personne ne sont accessibles qu'aux professionnels qui participent à "
            "son accompagnement : le cloisonnement entre ESMS et entre organismes gestionnaires "
            "doit être prévu. Les principales règles d'accès, de consultation et d'édition des "
            "données doivent être définies en conséquence en vue des paramétrages.\n"
            "- Une fois la politique de sécurité élaborée, le traitement doit être inscrit au "
            "registre des activités de traitement de chaque organisme gestionnaire responsable "
            "de traitement, avec l'appui de son délégué à la protection des données (DPO), et "
            "faire l'objet, si nécessaire, d'une analyse d'impact relative à la protection des "
            "données, conformément au RGPD et aux recommandations de la CNIL. Les personnes "
            "accompagnées (et, le cas échéant, leurs représentants légaux) doivent être "
            "informées de la politique d'habilitation, d'accès à leurs données et de sécurité, "
            "ainsi que de l'hébergement externalisé de leurs données le cas échéant (affichage, "
            "livret d'accueil, note explicative) ; l'exercice de leurs droits (accès, "
            "rectification, opposition au partage) doit être organisé.\n"
            "- Les ESMS doivent disposer d'outils leur permettant d'élaborer des indicateurs "
            "d'activité, de pilotage et d'évaluation multicritères. Les indicateurs "
            "standardisés, accessibles à tout utilisateur en fonction de son rôle dans "
            "l'organisation, sont à définir en vue de leur paramétrage ; ils incluent les "
            "indicateurs d'usage du programme ESMS numérique (taux de dossiers actifs, de "
            "dossiers actifs avec un projet personnalisé, de dossiers actifs ayant au moins un "
            "événement, taux d'utilisation de la MSSanté et du DMP). Des indicateurs "
            "spécifiques doivent pouvoir être calculés par des utilisateurs disposant de "
            "compétences particulières (référent « indicateurs de pilotage ») sur la base de "
            "requêtes interrogeant le plus large spectre de données possible (dossier de la "
            "personne accompagnée, planification, facturation, etc.).\n\n"
            "2. Préparer les paramétrages\n\n"
            "La MOE a la charge de préparer les données à saisir lors de la réalisation des "
            "paramétrages et, en particulier, de produire les tables de données paramétrées "
            "(modèles de courrier, formulaires spécifiques...), à partir des informations "
            "fournies par les référents.\n\n"
            "3. Réaliser les paramétrages\n\n"
            "Sur la base des travaux précédents, la MOE et les référents fonctionnels réalisent "
            "les paramétrages relatifs :\n"
            "- aux référentiels et nomenclatures (dont la structure de la grappe : organismes "
            "gestionnaires, ESMS, unités et services) ;\n"
            "- aux profils utilisateurs, et notamment les paramétrages relatifs aux "
            "habilitations et à l'accès aux données (saisie et paramétrage des profils "
            "utilisateurs) ;\n"
            "- à la production d'indicateurs standards et spécifiques ;\n"
            "- aux fonctions d'agenda, de planification et de coordination ;\n"
            "- aux fonctions de facturation, le cas échéant.\n\n"
            "Le chef de projet (et l'AMOA le cas échéant) supervise les travaux de la MOE et "
            "des référents fonctionnels."
        ),
        "acteurs": (
            "- MOE (éditeur du DUI).\n"
            "- Chef de projet interne (et AMOA le cas échéant).\n"
            "- Référents métier, référents DUI des ESMS et référents fonctionnels « indicateurs "
            "de pilotage » et « politique de sécurité et habilitations ».\n"
            "- DPO des organismes gestionnaires, pour la conformité au RGPD.\n"
            "- COPIL, qui valide la politique d'habilitation et de sécurité commune à la "
            "grappe."
        ),
        "outils_methodes": (
            "- Méthode de paramétrage définie par la MOE.\n"
            "- Groupes de travail par domaine fonctionnel ou par type de données "
            "(nomenclatures, habilitations, trames de projet personnalisé, etc.).\n"
            "- Séances de paramétrage, éventuellement réalisées au cours de la formation des "
            "référents."
        ),
        "documents_produits": (
            "- Formalisation des règles de gestion et processus utiles aux paramétrages (dont "
            "la politique d'habilitation et de sécurité).\n"
            "- Tables de données paramétrées (produites par la MOE)."
        ),
        "facteurs_cles_succes": (
            "- Contrôler le paramétrage et la saisie des données (cohérence, uniformité entre "
            "ESMS, etc.) : cf. étape 14, procéder à la recette de la solution.\n"
            "- Les fonctionnalités de gestion des habilitations doivent être très "
            "paramétrables, compte tenu des attentes évolutives d'une grappe en construction "
            "(arrivée ou départ d'ESMS, réorganisations) et des évolutions du cadre légal.\n"
            "- Harmoniser autant que possible les paramétrages entre ESMS d'un même type, pour "
            "faciliter la maintenance, la formation et le calcul d'indicateurs consolidés à "
            "l'échelle de la grappe.\n"
            "- Certains éditeurs proposent de réaliser les paramétrages au moment de la "
            "formation des administrateurs (chef de projet, référents ou prestataire externe). "
            "Cette solution doit être considérée comme une opportunité de gagner du temps, sous "
            "réserve que la réalisation des paramétrages ait été bien préparée.\n"
            "- Les règles de gestion et les paramétrages doivent être systématiquement "
            "documentés par le fournisseur."
        ),
        "livrables": [
            {
                "code": "regles_gestion",
                "titre": "Règles de gestion et politique d'habilitation et de sécurité",
                "validation_copil": True,
            },
            {
                "code": "tables_parametrees",
                "titre": "Tables de données paramétrées (MOE)",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 10,
        "jalon": None,
    },
    # Étape 13 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 13,
        "phase": 4,
        "titre": "Procéder à la reprise des données",
        "objectifs": (
            "Cette étape vise à reprendre les données identifiées à l'étape 7. Elle est "
            "déléguée à la MOE, sous la supervision du chef de projet interne de la grappe et "
            "des référents DUI des ESMS concernés."
        ),
        "contenu": (
            "La MOE procède à la reprise des données identifiées par les ESMS, notamment des "
            "dossiers des personnes accompagnées (identité, projets personnalisés, évaluations, "
            "etc.). La reprise des données sans ressaisie ne sera possible que si les données "
            "sources (issues des logiciels préexistants) sont structurées ; pour les ESMS dont "
            "les dossiers sont sur papier, les données minimales à saisir avant le démarrage "
            "doivent être définies et leur saisie organisée.\n\n"
            "Pour rappel, les données à reprendre doivent être précisées dans le cahier des "
            "charges (paragraphe relatif à la reprise initiale des données), ESMS par ESMS, "
            "avec les logiciels sources correspondants.\n\n"
            "La reprise peut être organisée par vagues, au rythme du déploiement dans les ESMS, "
            "et vérifiée à chaque vague."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant : supervision des reprises de "
            "données).\n"
            "- MOE.\n"
            "- Référents DUI des ESMS concernés, pour l'identification des données sources et "
            "le contrôle des données reprises.\n"
            "- Services informatiques des organismes gestionnaires ou éditeurs des logiciels "
            "sources, pour l'extraction des données."
        ),
        "outils_methodes": (
            "Outils fournis et exploités par la MOE (extractions, tables de correspondance, "
            "format pivot). Contrôles par échantillonnage réalisés par les référents avant la "
            "recette."
        ),
        "documents_produits": (
            "Modalités de reprise documentées par la MOE : périmètre et nature des données "
            "reprises, limitations le cas échéant, table de réception / format pivot..."
        ),
        "facteurs_cles_succes": (
            "- Il pourra être demandé à la MOE de communiquer à la maîtrise d'ouvrage une note "
            "explicative précisant la méthode de reprise des données utilisée.\n"
            "- La reprise des données doit être vérifiée, de la même façon que la mise à "
            "disposition des fonctionnalités attendues : l'intégrité des données au terme du "
            "processus de reprise est contrôlée en phase de recette de la solution (cf. étape "
            "14).\n"
            "- Profiter de la reprise pour fiabiliser l'identité des personnes accompagnées "
            "(identitovigilance, INS) : une reprise de données de mauvaise qualité pénalise "
            "durablement les usages."
        ),
        "livrables": [
            {
                "code": "modalites_reprise",
                "titre": "Modalités de reprise des données documentées (MOE)",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 6,
        "jalon": None,
    },
    # Étape 14 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 14,
        "phase": 4,
        "titre": "Procéder à la recette de la solution",
        "objectifs": (
            "Cette étape vise à vérifier le bon fonctionnement de la solution installée et à "
            "contrôler les paramètres et la reprise de données, avant de décider du démarrage."
        ),
        "contenu": (
            "Avant l'installation, la MOE procède à des tests (d'ordre technique) visant à "
            "vérifier le bon fonctionnement du système. Toutefois, la vérification des "
            "principales fonctionnalités (réponse aux besoins exprimés dans le cahier des "
            "charges) et le contrôle de la bonne installation du logiciel (absence "
            "d'anomalies), des paramètres et de la reprise des données doivent être réalisés "
            "par la maîtrise d'ouvrage. Il s'agit de la « recette utilisateurs ».\n\n"
            "La recette utilisateurs doit impliquer, a minima, le chef de projet et les "
            "référents. L'ensemble des utilisateurs peut également être sollicité. En fonction "
            "de la disponibilité des acteurs, l'exécution de la recette peut être pour partie "
            "déléguée à l'AMOA, voire à la MOE (qui exécute les tests et rend compte chaque "
            "jour à la maîtrise d'ouvrage de leurs résultats sur la solution installée). "
            "Néanmoins, l'implication de la maîtrise d'ouvrage constitue une condition "
            "importante de l'appropriation de la solution par ses futurs utilisateurs.\n\n"
            "La stratégie de démarrage est définie en parallèle : tests à blanc, critères de go "
            "/ no go, ordre de démarrage des ESMS. Au terme de la recette, le COPIL prononce la "
            "recette (avec ou sans réserves) et décide du démarrage (go / no go), au vu des "
            "résultats des tests et des anomalies restant à corriger."
        ),
        "acteurs": (
            "- Chef de projet interne (et AMOA le cas échéant : stratégie de recette, cahiers "
            "de recette, supervision des recettes et gestion des retours).\n"
            "- Référents DUI, métier et fonctionnels.\n"
            "- Autres utilisateurs des ESMS (éventuellement).\n"
            "- MOE, pour la correction des anomalies.\n"
            "- COPIL, qui prononce la recette et décide du démarrage."
        ),
        "outils_methodes": (
            "- Suivre un protocole de recette formalisé (par l'AMOA ou la MOE, selon "
            "l'organisation retenue).\n"
            "- Comité de recette se réunissant chaque semaine pendant la période de recette, si "
            "le cahier des charges l'a prévu.\n"
            "- Tests à blanc et critères de go / no go définis à l'avance."
        ),
        "documents_produits": (
            "- Protocole de recette : stratégie de recette précisant le rôle des différents "
            "acteurs, le planning et les modalités de recette (modalités de remontée et de "
            "traitement des anomalies...), ainsi que les critères de go / no go ;\n"
            "- Jeux de tests : ensemble des cas de tests à passer pour s'assurer du bon "
            "fonctionnement de la solution installée. Ces cas de tests doivent permettre de "
            "tester les principales fonctionnalités attendues ainsi que, notamment, les données "
            "de base issues de la reprise. Ils servent de fil directeur aux utilisateurs "
            "mobilisés pour recetter la solution (transactions à vérifier, données à saisir...) "
            ";\n"
            "- Fiches anomalies : fiches synthétiques précisant les dysfonctionnements ou "
            "anomalies rencontrés au cours de la recette ;\n"
            "- Procès-verbal de recette et décision de démarrage."
        ),
        "facteurs_cles_succes": (
            "- La recette peut être un moment fort de communication vers les utilisateurs du "
            "nouveau système, qui peuvent vérifier de manière opérationnelle la réponse aux "
            "besoins exprimés.\n"
            "- La nature de ces systèmes d'information (progiciels standardisés) permet de "
            "limiter la recette à une vérification des paramètres, de la reprise des données et "
            "des principales fonctionnalités. Certains éditeurs proposent de réaliser la "
            "recette utilisateurs au moment de la formation des administrateurs (chef de "
            "projet, référents ou prestataire externe). Cette solution doit être considérée "
            "comme une opportunité de gagner du temps.\n"
            "- Associer des utilisateurs de plusieurs types d'ESMS, pour vérifier que les "
            "paramétrages conviennent à chacun.\n"
            "- Prévoir une phase contractuelle de deux mois après la recette utilisateurs, "
            "pendant laquelle le prestataire devra être particulièrement réactif pour la "
            "résolution des anomalies restantes (cf. paragraphe du cahier des charges relatif à "
            "l'assistance à la recette de la solution)."
        ),
        "livrables": [
            {
                "code": "protocole_recette",
                "titre": "Protocole de recette (stratégie, planning, critères de go / no go)",
                "validation_copil": True,
            },
            {
                "code": "jeux_tests",
                "titre": "Jeux de tests",
                "validation_copil": False,
            },
            {
                "code": "fiches_anomalies",
                "titre": "Fiches anomalies",
                "validation_copil": False,
            },
            {
                "code": "pv_recette",
                "titre": "Procès-verbal de recette et décision de démarrage",
                "validation_copil": True,
            },
        ],
        "duree_semaines": 6,
        "jalon": {
            "titre": "Recette prononcée / go pour le démarrage",
            "go_no_go": True,
        },
    },
    # Étape 15 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 15,
        "phase": 4,
        "titre": "Réaliser la formation des utilisateurs",
        "objectifs": (
            "Cette étape consiste à préparer et assurer la formation des administrateurs du "
            "système (chef de projet et référents, ou prestataire externe) et de l'ensemble des "
            "utilisateurs des ESMS de la grappe (professionnels de l'accompagnement et du soin, "
            "personnels administratifs et d'accueil, encadrement)."
        ),
        "contenu": (
            "La formation des administrateurs et des utilisateurs du DUI peut débuter après la "
            "recette de l'outil. Préalablement à la réalisation des formations, le chef de "
            "projet, en lien avec la MOE et les référents DUI des ESMS :\n"
            "- constitue des groupes d'utilisateurs à former (ex. : administrateurs, référents, "
            "professionnels de l'accompagnement et du soin, personnels administratifs et "
            "d'accueil, encadrement), par ESMS ou par vague de déploiement ;\n"
            "- élabore un planning de formation et gère la logistique (convocations, "
            "disponibilité des salles et des matériels, remplacement des professionnels en "
            "formation).\n\n"
            "Les modalités de formation, issues du plan de formation prédéfini à l'étape 7, "
            "sont celles précisées par la maîtrise d'ouvrage dans son cahier des charges "
            "(paragraphe relatif à la formation des administrateurs fonctionnels et des "
            "utilisateurs) ou, à défaut de ces précisions, celles proposées par la MOE dans son "
            "offre. Ces modalités peuvent inclure :\n"
            "- des sessions de formation organisées dans ses locaux ou sur place, dans les ESMS "
            ";\n"
            "- un apprentissage en ligne (e-learning) accessible depuis la solution logicielle "
            ";\n"
            "- la formation de formateurs (relayant l'apprentissage aux autres utilisateurs, "
            "par exemple les référents DUI de chaque ESMS) ;\n"
            "- la réalisation des paramétrages et de la recette utilisateurs au cours de ces "
            "sessions de formation.\n\n"
            "La mise en service du DUI intervient à l'issue des formations, ESMS par ESMS ou "
            "par vague, et s'accompagne d'une assistance renforcée au démarrage (cf. étape 7)."
        ),
        "acteurs": (
            "- Chef de projet interne : préparation des formations (planning, logistique, "
            "organisation), avec les référents DUI de chaque ESMS.\n"
            "- MOE : conception des supports et réalisation des sessions de formation.\n"
            "- Chef de projet et référents : participation aux sessions de formation en tant "
            "qu'administrateurs (si cette fonction n'est pas assurée par un prestataire "
            "externe), puis relais de la formation dans les ESMS.\n"
            "- Directions des ESMS : libération du temps des professionnels et organisation des "
            "remplacements.\n"
            "- L'ensemble des professionnels des ESMS utilisateurs du DUI (dont les personnels "
            "administratifs et d'accueil) : participation aux sessions de formation en tant "
            "qu'utilisateurs."
        ),
        "outils_methodes": (
            "Selon les dispositions prévues dans le cahier des charges. Dans tous les cas, la "
            "conception des supports de formation et des études de cas revient à la MOE. Les "
            "études de cas reprennent les situations réelles des ESMS (admission, élaboration "
            "du projet personnalisé, transmissions, envoi d'un document par MSSanté, "
            "alimentation du DMP...)."
        ),
        "documents_produits": (
            "- Manuels utilisateurs et documentation par profil (MOE).\n"
            "- Planning des sessions de formation, par ESMS ou par vague de déploiement (chef "
            "de projet)."
        ),
        "facteurs_cles_succes": (
            "- Procéder impérativement à des sessions de formation en présentiel pour les "
            "administrateurs (paramétrages, exploitation du système). L'e-learning peut être "
            "utilisé pour les utilisateurs courants.\n"
            "- Réaliser la formation des utilisateurs alors que le démarrage est imminent : "
            "éviter de former les professionnels trop longtemps avant la mise en service de la "
            "solution, ou trop longtemps après.\n"
            "- Adapter le planning des formations aux plannings des équipes (roulements, "
            "équipes de nuit et de week-end, remplaçants) et à la continuité de "
            "l'accompagnement des personnes.\n"
            "- Porter une attention particulière à la formation des personnels administratifs "
            "et d'accueil et des professionnels de proximité, utilisateurs quotidiens du DUI : "
            "la formation doit être approfondie sur le champ fonctionnel qu'ils utilisent, "
            "d'autant qu'ils ne sont pas tous habitués a priori à l'usage quotidien d'un outil "
            "informatique.\n"
            "- Développer la littératie numérique des équipes et les acculturer aux usages "
            "(partage d'information, MSSanté, DMP) : il ne s'agit pas seulement d'apprendre à "
            "manipuler un outil."
        ),
        "livrables": [
            {
                "code": "manuels_utilisateurs",
                "titre": "Manuels utilisateurs et documentation par profil (MOE)",
                "validation_copil": False,
            },
            {
                "code": "planning_formation",
                "titre": "Planning des sessions de formation",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 8,
        "jalon": {
            "titre": "Mise en service du DUI dans les ESMS de la grappe",
            "go_no_go": False,
        },
    },
    # Étape 16 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 16,
        "phase": 4,
        "titre": "Gérer la maintenance et les évolutions",
        "objectifs": (
            "Cette étape vise à définir les modalités de gestion des corrections et des "
            "évolutions fonctionnelles (ajout ou optimisation de fonctionnalités, amélioration "
            "de l'ergonomie) du DUI après sa mise en service."
        ),
        "contenu": (
            "1. Maintenance corrective\n\n"
            "Après la mise en service de l'outil, les utilisateurs peuvent être confrontés à "
            "des anomalies résiduelles, devant être corrigées dans le cadre d'une maintenance "
            "corrective, selon les dispositions contractuelles prévues (paragraphe du cahier "
            "des charges relatif à la maintenance et aux mises à jour logicielles) :\n"
            "- les anomalies bloquantes doivent faire l'objet d'une intervention immédiate et "
            "donc être signalées au prestataire (éditeur / intégrateur) sans délai ;\n"
            "- les anomalies non bloquantes peuvent être consignées dans un document adressé au "
            "prestataire (éditeur / intégrateur) selon une fréquence définie avec lui.\n\n"
            "2. Évolutions et mises à jour\n\n"
            "Les DUI proposés par les éditeurs sont généralement des produits « standardisés » "
            "et il n'est pas possible de demander des évolutions importantes nécessitant des "
            "développements spécifiques.\n\n"
            "Cependant, ces produits peuvent évoluer afin de faire face à de nouvelles "
            "exigences réglementaires ou fonctionnelles (par exemple celles du référencement "
            "Ségur), ou de prendre en compte des retours d'expérience d'utilisateurs (notamment "
            "par l'intermédiaire du « club utilisateurs », lorsqu'il existe, qui est chargé de "
            "qualifier les demandes d'évolution).\n\n"
            "Ainsi, le marché passé avec le fournisseur doit prévoir la mise à jour du logiciel "
            "lorsque de nouvelles versions sont éditées.\n\n"
            "Toute intervention dans le cadre de la maintenance doit faire l'objet d'une "
            "planification et d'une communication, afin de gêner le moins possible les "
            "professionnels dans leur activité et l'accompagnement des personnes. Le cas "
            "échéant, elle nécessitera également la mise en œuvre d'une recette (cf. étape 14) "
            "et d'un plan de formation (cf. étape 15) sur le périmètre nouvellement déployé."
        ),
        "acteurs": (
            "- Chef de projet interne, qui centralise les demandes et pilote la relation avec "
            "l'éditeur.\n"
            "- Référents métier et référents DUI des ESMS, qui recueillent les anomalies et les "
            "demandes des utilisateurs.\n"
            "- MOE (éditeur), qui corrige, livre les évolutions et met à jour la documentation.\n"
            "- Comité de suivi opérationnel, qui suit le traitement des demandes et arbitre les "
            "priorités ; le COPIL est saisi des évolutions ayant un impact budgétaire ou "
            "organisationnel."
        ),
        "outils_methodes": (
            "- Circuit de signalement : signalement immédiat des anomalies bloquantes au "
            "prestataire ; consignation des anomalies non bloquantes et des demandes "
            "d'évolution dans un document de suivi partagé entre les ESMS, transmis au "
            "prestataire selon la fréquence convenue.\n"
            "- Priorisation des demandes en comité de suivi opérationnel.\n"
            "- Planification et communication des interventions auprès des ESMS.\n"
            "- Recette et formation sur le périmètre nouvellement déployé (cf. étapes 14 et "
            "15).\n"
            "- Participation au club utilisateurs de l'éditeur, lorsqu'il existe."
        ),
        "documents_produits": (
            "- Listes des demandes d'évolution et de correction (chef de projet et référents "
            "métier).\n"
            "- Document de planification pour l'installation des évolutions ou corrections "
            "(chef de projet).\n"
            "- Documentation mise à jour (MOE)."
        ),
        "facteurs_cles_succes": (
            "- Recueillir l'avis d'autres ESMS ou d'autres grappes utilisant la même solution "
            "pour le recensement et la priorisation des évolutions.\n"
            "- Participer au « club utilisateurs » de l'éditeur (s'il existe) pour bénéficier "
            "du retour d'expérience d'autres structures, porter les demandes d'évolution de la "
            "grappe et effectuer une veille fonctionnelle pour être informé du devenir de "
            "l'outil.\n"
            "- Porter d'une seule voix, au nom de la grappe, les demandes d'évolution auprès de "
            "l'éditeur : une demande consolidée pèse davantage qu'une somme de demandes "
            "isolées."
        ),
        "livrables": [
            {
                "code": "demandes_evolution",
                "titre": "Liste des demandes d'évolution et de correction",
                "validation_copil": False,
            },
            {
                "code": "planning_evolutions",
                "titre": "Planification de l'installation des évolutions et corrections",
                "validation_copil": False,
            },
            {
                "code": "documentation_maj",
                "titre": "Documentation mise à jour (MOE)",
                "validation_copil": False,
            },
        ],
        "duree_semaines": 12,
        "jalon": None,
    },
    # Étape 17 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 17,
        "phase": 4,
        "titre": "Réaliser un bilan du projet",
        "objectifs": (
            "Cette étape consiste à réaliser un bilan économique et une évaluation globale de "
            "la solution, afin d'envisager la définition de nouveaux objectifs "
            "(approfondissement du degré d'intégration, extension du périmètre fonctionnel, "
            "etc.) ou de corrections importantes.\n\n"
            "Elle peut être réalisée à l'issue de la première année de fonctionnement. Le "
            "rapport de bilan est présenté au COPIL."
        ),
        "contenu": (
            "- Réaliser un bilan économique : chiffrer le coût total du projet et le rapprocher "
            "du budget prévisionnel et des financements obtenus.\n"
            "- Réaliser une évaluation globale du DUI :\n"
            "  - satisfaction des utilisateurs ;\n"
            "  - facilité de prise en main et d'utilisation, ergonomie de l'outil ;\n"
            "  - qualité de fonctionnement (anomalies, temps de réponse, disponibilité) ;\n"
            "  - qualité fonctionnelle ;\n"
            "  - étude d'impact sur la qualité de la coordination entre professionnels et avec "
            "les partenaires, du pilotage de l'activité et de l'accompagnement des personnes ;\n"
            "  - niveau d'usage atteint au regard des cibles du programme ESMS numérique "
            "(dossiers actifs, projets personnalisés, événements, MSSanté, DMP), par ESMS et "
            "pour la grappe ;\n"
            "  - qualité des relations avec le prestataire.\n"
            "- Définir les prochaines évolutions du système à réaliser « au fil de l'eau » ou "
            "en mode projet.\n"
            "- Préparer le passage de témoin en interne, pour que l'animation autour de l'usage "
            "du DUI se poursuive au-delà du déploiement."
        ),
        "acteurs": (
            "- Chef de projet interne et référents (et AMOA le cas échéant : bilan de projet en "
            "fin de mission).\n"
            "- L'ensemble des professionnels des ESMS (consultation des utilisateurs).\n"
            "- COPIL, auquel le rapport de bilan est présenté."
        ),
        "outils_methodes": (
            "- Questionnaires de satisfaction.\n"
            "- Réunions de travail pour l'évaluation.\n"
            "- Tableaux de bord des indicateurs de suivi du projet et des indicateurs d'usage."
        ),
        "documents_produits": (
            "Rapport de bilan : bilan économique, évaluation globale du DUI, niveau d'usage "
            "atteint et prochaines évolutions proposées."
        ),
        "facteurs_cles_succes": (
            "- S'appuyer sur le rapport de bilan pour justifier une extension du périmètre "
            "fonctionnel ou un renforcement du degré d'intégration, ou, a contrario, conserver "
            "le statu quo.\n"
            "- Communiquer autour du rapport de bilan, auprès des professionnels des ESMS, des "
            "coopérateurs et des financeurs.\n"
            "- Profiter le cas échéant du bilan pour revoir certaines clauses contractuelles "
            "avec le prestataire (ajustement de certaines prestations...)."
        ),
        "livrables": [
            {
                "code": "rapport_bilan",
                "titre": "Rapport de bilan",
                "validation_copil": True,
            },
        ],
        "duree_semaines": 4,
        "jalon": {
            "titre": "Bilan présenté au COPIL",
            "go_no_go": False,
        },
    },
    # Étape 18 (phase 4 : Mise en œuvre de la solution)
    {
        "numero": 18,
        "phase": 4,
        "titre": "Commander des prestations complémentaires",
        "objectifs": (
            "Cette étape peut intervenir après la phase initiale de mise en œuvre. Elle permet "
            "de commander, après l'installation initiale, des prestations complémentaires "
            "prévues au cahier des charges, afin de répondre à de nouveaux besoins (évolution "
            "de l'organisation, arrivée d'un nouvel ESMS dans la grappe, réversibilité "
            "partielle...)."
        ),
        "contenu": (
            "- Qualifier les besoins relatifs à une prestation complémentaire. Il peut s'agir "
            "par exemple :\n"
            "  - de prestations de reprise de données, en cas d'intégration d'un nouvel ESMS ou "
            "d'un nouveau service ;\n"
            "  - de l'installation d'un module complémentaire ou d'une interface avec un "
            "logiciel métier spécifique, notamment en cas d'intégration d'un nouvel ESMS ;\n"
            "  - de prestations de formation pour les nouveaux arrivants ou en cas "
            "d'installation d'une mise à jour du logiciel ;\n"
            "  - de besoins complémentaires relatifs à des paramétrages (ex. : développement de "
            "nouveaux indicateurs, de nouvelles trames de projet personnalisé ou d'évaluation) "
            ";\n"
            "  - de la mise en œuvre d'une réversibilité partielle (en cas de retrait d'un ESMS "
            "ou d'un coopérateur de la grappe) ;\n"
            "  - ...\n"
            "- Formaliser ces besoins au sein d'un bon de commande à destination du "
            "fournisseur, émis par le porteur dans le cadre du marché."
        ),
        "acteurs": (
            "- Chef de projet interne.\n"
            "- Référents métier et référents DUI des ESMS concernés.\n"
            "- Nouveaux arrivants ou utilisateurs à l'origine de la demande.\n"
            "- Porteur de projet, qui émet le bon de commande ; COPIL, lorsque la commande "
            "engage des fonds communs à la grappe."
        ),
        "outils_methodes": (
            "- Qualification précise des besoins complémentaires et étude d'opportunité au "
            "regard du coût éventuel et de sa répartition entre coopérateurs.\n"
            "- Éventuellement, organisation de réunions de travail avec le fournisseur pour la "
            "qualification des besoins."
        ),
        "documents_produits": (
            "- Formalisation précise des besoins relatifs à une prestation complémentaire "
            "(objet et périmètre détaillé de la demande, calendrier de réalisation, date au "
            "plus tard de mise à disposition...).\n"
            "- Bon de commande."
        ),
        "facteurs_cles_succes": (
            "- Il ne pourra être fait recours à des prestations complémentaires que si elles "
            "sont prévues dans le marché au moment de sa signature. Les prestations "
            "complémentaires susceptibles d'être commandées après l'installation initiale "
            "doivent donc être identifiées, dans la mesure du possible, dès l'expression des "
            "besoins (cf. étapes 6, 7 et 8).\n"
            "- Prévoir dans la convention de coopération la répartition du coût des prestations "
            "complémentaires, selon qu'elles sont commandées pour un seul ESMS ou pour "
            "l'ensemble de la grappe."
        ),
        "livrables": [
            {
                "code": "expression_besoin_complementaire",
                "titre": "Expression de besoin de la prestation complémentaire",
                "validation_copil": False,
            },
            {
                "code": "bon_commande",
                "titre": "Bon de commande",
                "validation_copil": True,
            },
        ],
        "duree_semaines": 4,
        "jalon": None,
    },
]

# Livrables de la mission d'AMOA (seed 000, annexe §1.4). Les comptes rendus sont transmis au plus
# tard 8 jours ouvrés après la réunion ; ceux des comités (COPIL, comités techniques) sont validés
# par le COPIL avant diffusion aux membres de la grappe et du comité de suivi.
LIVRABLES_AMOA = [
    {
        "code": "planning_amoa",
        "titre": "Planning de l'AMOA",
        "validation_copil": False,
        "recurrent": False,
    },
    {
        "code": "supports_cr_copil",
        "titre": "Supports et comptes rendus des comités de pilotage et des comités techniques",
        "validation_copil": True,
        "recurrent": True,
    },
    {
        "code": "cr_ateliers",
        "titre": "Comptes rendus des ateliers de travail thématiques",
        "validation_copil": False,
        "recurrent": True,
    },
    {
        "code": "rapport_avancement",
        "titre": "Rapport d'avancement actualisé (projet et marché)",
        "validation_copil": False,
        "recurrent": True,
    },
    {
        "code": "rapport_risques",
        "titre": "Rapport de gestion des risques actualisé",
        "validation_copil": False,
        "recurrent": True,
    },
    {
        "code": "plan_tests",
        "titre": "Plan de tests",
        "validation_copil": False,
        "recurrent": False,
    },
    {
        "code": "plan_communication",
        "titre": "Plan de communication",
        "validation_copil": False,
        "recurrent": False,
    },
    {
        "code": "indicateurs_bilan",
        "titre": "Indicateurs de suivi et bilan de projet",
        "validation_copil": False,
        "recurrent": False,
    },
]

# Risques et facteurs clés de succès de la coopération : seed 004 (causes fréquentes d'échec,
# facteurs clés de succès, éléments facilitants) et seed 001 (conséquences d'un projet sans gestion
# de projet, bénéfices / risques de l'AMOA, points d'attention), complétés par seed 000 (§2.2, §2.3,
# §3.2) pour la procédure d'achat, le versement conditionnel et l'AMOA.
RISQUES_COOPERATION = [
    {
        "titre": "Prise de pouvoir d'une des parties prenantes",
        "categorie": "cooperation",
        "description": (
            "Un coopérateur, souvent le plus important ou le porteur, impose ses choix "
            "(solution, calendrier, organisation) aux autres membres de la grappe ; les autres "
            "coopérateurs se désengagent et la coopération perd sa légitimité."
        ),
        "mitigation": (
            "Désigner un porteur de projet neutre, dont la mission est définie dans la "
            "convention de coopération ; prendre les décisions collectivement en COPIL et les "
            "tracer dans des comptes rendus validés ; garantir les mêmes droits à tous, "
            "indépendamment de la taille ou de l'importance de chaque structure ; faire "
            "résulter le choix de la solution d'une concertation entre tous les acteurs."
        ),
    },
    {
        "titre": "Instabilité de la gouvernance",
        "categorie": "gouvernance",
        "description": (
            "Changements de direction, renouvellement des membres du COPIL, du chef de projet "
            "ou des référents, portage inégal selon les structures : les décisions sont remises "
            "en cause et le projet, qui s'inscrit dans le temps long (deux ans au moins), perd "
            "sa mémoire."
        ),
        "mitigation": (
            "Obtenir un portage fort au sein de chaque structure partie prenante (sponsor "
            "identifié à la direction) ; converger vers une gouvernance stable dans la durée, "
            "fixée par la convention de coopération (composition du COPIL et du comité de "
            "suivi, suppléances) ; assurer la traçabilité des décisions et des livrables pour "
            "que les nouveaux arrivants puissent reprendre le projet."
        ),
    },
    {
        "titre": "Complexité du projet et contraintes internes des coopérateurs",
        "categorie": "cooperation",
        "description": (
            "La coopération se heurte à davantage de contraintes internes : changements "
            "organisationnels, transformation des modalités de fonctionnement, pratiques et "
            "organisations différentes d'un ESMS à l'autre."
        ),
        "mitigation": (
            "Se fixer des paliers accessibles (étape 1) et déployer par vagues (modules ou ESMS "
            "pilotes, étape 3) ; harmoniser progressivement les modes opératoires ; accompagner "
            "le changement (état des lieux avant changement, formation et soutien des "
            "personnels) ; établir de façon concertée un plan de gestion des risques."
        ),
    },
    {
        "titre": "Absence de finalité commune et rôles mal répartis",
        "categorie": "cooperation",
        "description": (
            "Chaque coopérateur poursuit ses propres objectifs ; les attraits, les peurs et les "
            "tentations de chacun ne sont pas exprimés ; les rôles et responsabilités du "
            "porteur, des coopérateurs, du chef de projet et des référents restent flous."
        ),
        "mitigation": (
            "Définir une finalité commune, dont chaque acteur se sente porteur ; construire une "
            "représentation collective à partir des représentations individuelles ; clarifier "
            "et formaliser le rôle et la responsabilité de chacun (convention de coopération, "
            "note de cadrage, fiches-mission) et s'assurer que chacun en a conscience ; adopter "
            "une charte de bonnes pratiques relationnelles ; s'appuyer sur un déclencheur "
            "commun."
        ),
    },
    {
        "titre": "Dépendance à l'AMOA et désinvestissement des équipes internes",
        "categorie": "gouvernance",
        "description": (
            "Le recours à une AMOA entraîne un désinvestissement des équipes internes, voire "
            "une absence de pilotage interne, une confusion des rôles (abandon des choix "
            "stratégiques à l'AMOA) ou une fin de mission problématique faute de capitalisation "
            "des processus projet."
        ),
        "mitigation": (
            "Désigner un chef de projet interne, ou à tout le moins un référent représentant le "
            "maître d'ouvrage ; réserver les décisions au COPIL ; identifier précisément ce qui "
            "est à la charge de l'AMOA et ce qui est à la charge de la grappe ; retenir l'appui "
            "à la montée en compétence parmi les critères de choix de l'AMOA ; préparer dès le "
            "départ le passage de témoin en interne."
        ),
    },
    {
        "titre": "Hétérogénéité de la maturité SI et des prérequis techniques",
        "categorie": "technique",
        "description": (
            "Le niveau de maturité SI et les compétences mobilisables sont hétérogènes entre "
            "organismes gestionnaires : équipements, réseau et Wi-Fi, conformité au RGPD, DPO, "
            "identitovigilance (INS) ; certains ESMS ne sont pas prêts au démarrage."
        ),
        "mitigation": (
            "Partager l'autodiagnostic de maturité SI de chaque coopérateur ; vérifier les "
            "prérequis techniques et réglementaires dès l'étude de l'existant (étape 4) et "
            "prévoir leur financement (équipement matériel) ; mutualiser les compétences rares "
            "au sein de la grappe (DPO, informatique, encadrement soignant) ; démarrer en "
            "priorité les ESMS prêts."
        ),
    },
    {
        "titre": "Dérive du calendrier",
        "categorie": "planning",
        "description": (
            "Non-respect des délais : disponibilité insuffisante des professionnels pour le "
            "projet, procédure d'achat plus longue que prévu, retards de l'éditeur ; les cibles "
            "d'usage ne sont pas atteintes dans le délai prévu."
        ),
        "mitigation": (
            "Planifier rigoureusement les livrables et les jalons (go / no go) et suivre le "
            "planning (rapport d'avancement actualisé) ; libérer du temps aux acteurs métier "
            "sollicités et organiser leur remplacement ; prévoir des marges pour la procédure "
            "d'achat ; alerter le COPIL dès qu'un jalon est menacé et solliciter son arbitrage."
        ),
    },
    {
        "titre": "Dépassement budgétaire et coûts cachés",
        "categorie": "budget",
        "description": (
            "Dépassement des enveloppes budgétaires : coûts cachés de la solution (matériels "
            "requis, garantie réduite, prestations non incluses), développements spécifiques, "
            "prestations complémentaires non prévues, temps interne sous-estimé."
        ),
        "mitigation": (
            "Reconstituer le coût total de chaque offre sur au moins trois ans (étape 11) ; "
            "maîtriser l'expression des besoins pour éviter les développements spécifiques ; "
            "prévoir les prestations complémentaires dans le cahier des charges ; établir un "
            "budget prévisionnel détaillé et la répartition prévisionnelle des fonds dans la "
            "convention de coopération."
        ),
    },
    {
        "titre": "Décalage de trésorerie lié au versement conditionnel de la subvention",
        "categorie": "budget",
        "description": (
            "La subvention est versée en deux tranches : la première à la signature de la "
            "convention avec l'ARS, la seconde seulement lorsque les cibles d'usage sont "
            "atteintes (la répartition dépend de l'appel à projets). Le porteur et les "
            "coopérateurs doivent avancer une partie des dépenses, et le déblocage des fonds "
            "peut tarder."
        ),
        "mitigation": (
            "Prévoir dans la convention de coopération les modalités de paiement des dépenses "
            "et de répartition des fonds ; établir le plan de trésorerie du porteur ; mesurer "
            "les indicateurs d'usage chaque mois dès le démarrage pour obtenir au plus tôt le "
            "second versement."
        ),
    },
    {
        "titre": "Cibles d'usage non atteintes",
        "categorie": "usages",
        "description": (
            "Les cibles d'usage du programme (70 % pour la MSSanté et le DMP ; 90 % pour les "
            "dossiers actifs, les dossiers actifs avec un projet personnalisé et les dossiers "
            "actifs ayant au moins un événement) ne sont pas atteintes : le second versement de "
            "la subvention n'est pas déclenché."
        ),
        "mitigation": (
            "Paramétrer les indicateurs d'usage dès l'étape 12 ; les mesurer chaque fin de mois "
            "par ESMS et pour la grappe ; mettre en place un processus de management des usages "
            "animé par les référents ; concentrer l'accompagnement sur les ESMS en retrait ; "
            "préparer le passage de témoin pour que l'animation des usages se poursuive après "
            "le déploiement."
        ),
    },
    {
        "titre": "Faible appropriation du DUI par les équipes",
        "categorie": "usages",
        "description": (
            "Le projet est perçu négativement par les équipes ; des professionnels peu habitués "
            "à l'outil informatique contournent le DUI ou conservent le papier ; la qualité de "
            "la saisie se dégrade."
        ),
        "mitigation": (
            "Soigner le plan de communication (kit de communication, relais d'information, "
            "information des instances représentatives du personnel) ; associer les "
            "utilisateurs à l'expression des besoins, aux paramétrages et à la recette ; former "
            "au plus près du démarrage et développer la littératie numérique (pas de formation "
            "« clicodrôme ») ; assurer une assistance renforcée après le démarrage ; soutenir "
            "les personnels pendant le changement."
        ),
    },
    {
        "titre": "Procédure d'achat irrégulière, infructueuse ou retardée",
        "categorie": "fournisseur",
        "description": (
            "La mise en concurrence via le SAD du RESAH (domaines personnes âgées, personnes en "
            "situation de handicap et domicile) requiert des compétences spécifiques en achat "
            "public : pièces mal adaptées, offres irrégulières ou inadaptées, procédure "
            "infructueuse, contestée ou retardée."
        ),
        "mitigation": (
            "Recourir à une AMOA « marché » qui maîtrise le code de la commande publique et la "
            "procédure du SAD ; s'appuyer sur le kit du RESAH et sur sa formule de relecture "
            "des pièces administratives ; rédiger un cahier des charges précis et fixer à "
            "l'avance des critères de sélection pondérés ; garantir l'égalité de traitement des "
            "candidats ; tracer l'analyse dans un rapport de choix."
        ),
    },
    {
        "titre": "Prestations de l'éditeur insuffisantes et dépendance vis-à-vis de l'éditeur",
        "categorie": "fournisseur",
        "description": (
            "Prestations de l'éditeur (MOE) insuffisantes ou tardives : paramétrage, formation, "
            "assistance au démarrage, correction des anomalies ; dépendance vis-à-vis d'un "
            "éditeur unique pour l'ensemble de la grappe et difficulté à en changer."
        ),
        "mitigation": (
            "Préciser au cahier des charges les prestations attendues, les niveaux de service "
            "et la garantie de bon fonctionnement ; prévoir une clause de réversibilité (totale "
            "et partielle) et une phase de deux mois de réactivité renforcée après la recette ; "
            "piloter le marché dans des instances conjointes avec l'éditeur ; participer au "
            "club utilisateurs ; profiter du bilan pour revoir certaines clauses."
        ),
    },
    {
        "titre": "Reprise des données incomplète ou de mauvaise qualité",
        "categorie": "donnees",
        "description": (
            "Données sources non structurées, dossiers sur papier, doublons d'identité : les "
            "dossiers sont inexploitables au démarrage et les indicateurs d'usage sont faussés."
        ),
        "mitigation": (
            "Préciser au cahier des charges les données à reprendre, ESMS par ESMS, et leurs "
            "formats ; faire documenter les modalités de reprise par la MOE ; contrôler "
            "l'intégrité des données reprises lors de la recette (étape 14) ; fiabiliser les "
            "identités (identitovigilance, INS) avant la reprise."
        ),
    },
    {
        "titre": "Atteinte à la confidentialité des données des personnes accompagnées",
        "categorie": "donnees",
        "description": (
            "Accès inappropriés aux données entre professionnels, entre ESMS ou entre "
            "organismes gestionnaires ; non-conformité au RGPD ; hébergement non certifié ; "
            "information insuffisante des personnes accompagnées sur leurs droits."
        ),
        "mitigation": (
            "Définir et faire valider par le COPIL une politique d'habilitation et de sécurité "
            "(étape 12), avec un cloisonnement entre ESMS et entre organismes gestionnaires ; "
            "associer les DPO ; inscrire le traitement au registre et réaliser si nécessaire "
            "une analyse d'impact ; exiger un hébergeur certifié HDS ; informer les personnes "
            "accompagnées et organiser l'exercice de leurs droits."
        ),
    },
]
