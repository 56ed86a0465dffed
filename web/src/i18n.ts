// French first, English beside (docs/web.md, UI.md "Words"); the choice is
// remembered in this browser; without one, the browser's languages decide,
// French when neither French nor English is asked for.
import { signal } from './state';

export type Lang = 'fr' | 'en';
const KEY = 'entretiens.lang';

function initial(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch { /* storage refused: no memory */ }
  for (const l of navigator.languages || [navigator.language]) {
    if (l.toLowerCase().startsWith('fr')) return 'fr';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'fr';
}

export const lang = signal<Lang>(initial());
export function setLang(l: Lang) {
  try { localStorage.setItem(KEY, l); } catch { /* not remembered */ }
  document.documentElement.lang = l;
  lang.set(l);
}
document.documentElement.lang = lang.get();

const fr = {
  app: 'entretiens', skip: 'Aller au contenu', signin: 'Connexion', login: 'Identifiant', password: 'Mot de passe',
  signin_btn: 'Se connecter', signout: 'Se déconnecter', switch_lang: 'English', switch_lang_label: 'Switch to English',
  bad_login: 'Identifiant ou mot de passe incorrect.', locked: 'Compte verrouillé après trop d’essais : réessayez plus tard.',
  my: 'Mes entretiens', team: 'Mon équipe', next: 'Prochain entretien', none_next: 'Aucun entretien à venir.',
  todo: 'À faire', past: 'Entretiens passés', none: 'Rien pour l’instant.', deadlines: 'Mes échéances',
  with: 'avec', manager: 'votre manager', place: 'Lieu', video: 'Lien de visio', open: 'Ouvrir', prepare: 'Préparer',
  due: 'échéance', duration: 'Durée (minutes)', date: 'Date', time: 'Heure', schedule: 'Planifier',
  reschedule: 'Replanifier', save: 'Enregistrer', cancel: 'Annuler', not_scheduled: 'Date à fixer',
  late: 'En retard', history: 'Afficher l’historique', list: 'Liste', calendar: 'Calendrier',
  prev_month: 'Mois précédent', next_month: 'Mois suivant', late_items: 'En retard dans mon équipe',
  waiting_sign: 'En attente de signature', employee: 'Collaborateur', type: 'Type', status: 'État',
  saved: 'Enregistré', saving: 'Enregistrement…', unsaved: 'Modifications non enregistrées',
  conflict: 'Quelqu’un d’autre a modifié cet entretien pendant que vous écriviez. Votre texte est conservé ci-dessous, rien n’est perdu.',
  reload_merge: 'Recharger et fusionner', share: 'Partager ma préparation', shared_done: 'Préparation partagée',
  hold: 'Marquer comme tenu', report: 'Valider le compte rendu', sign: 'Signer', sign_comment: 'Commentaire (facultatif)',
  signed_by_employee: 'Signé par le collaborateur', signed_by_manager: 'Signé par le manager', pdf: 'Télécharger le PDF',
  notes: 'Notes privées du manager (jamais visibles du collaborateur)', your_answer: 'Votre réponse',
  their_answer_employee: 'Réponse du collaborateur', their_answer_manager: 'Réponse du manager',
  not_shared: 'Pas encore partagé.', weight: 'Poids (%)', title: 'Intitulé', measure: 'Mesure', due_date: 'Échéance',
  attainment: 'Atteinte (%)', comment: 'Commentaire', add: 'Ajouter', remove: 'Retirer', theme: 'Thème',
  priority: 'Priorité', modality: 'Modalité', horizon: 'Horizon', kind: 'Souhait', item: 'Compétence',
  level: 'Niveau', owner: 'Responsable (matricule)', yes: 'Oui', no: 'Non', choose: '— choisir —',
  carried: 'Repris de l’entretien précédent', objectives_carried: 'Objectifs', actions_carried: 'Actions',
  error: 'Erreur', not_found: 'Cet entretien n’existe pas ou ne vous est pas accessible.', retry: 'Réessayer',
  loading: 'Chargement…', done: 'Fait', back: 'Retour', required: 'obligatoire', digest: 'Empreinte du compte rendu',
  video_join: 'Rejoindre la visio', signed_on: 'signé le', relation_interviewer: 'Vous menez cet entretien.',
  who_employee: 'À remplir par le collaborateur', who_manager: 'À remplir par le manager', who_both: 'Chacun répond',
  network: 'Le serveur ne répond pas. Vos modifications sont gardées dans la page.', reason: 'Motif',
  prio_high: 'haute', prio_medium: 'moyenne', prio_low: 'basse', colon: ' : ',
  prefs: 'Mes préférences', prefs_mail: 'E-mails', prefs_address: 'Adresse', prefs_lang: 'Langue de mes e-mails',
  prefs_hris: 'Celle du SIRH', prefs_digest: 'Un seul e-mail récapitulatif par jour pour mon équipe',
  expired: 'Votre session a expiré. Votre texte est gardé dans cette page : reconnectez-vous dans un autre onglet, puis réessayez.',
  // the HR pages
  pilotage: 'Pilotage', results: 'Résultats', deadline_calendar: 'Calendrier des échéances', deadlines_nav: 'Échéances',
  not_allowed_title: 'Accès refusé', not_allowed: 'Vous n’avez pas accès à cette page : elle est réservée aux RH et aux administrateurs.',
  csv: 'Télécharger (CSV)', total: 'Total', entity: 'Entité', employees: 'Salariés', up_to_date: 'À jour', due_soon: 'Échéance proche',
  overdue_people: 'En retard', at_risk: 'Abondements à risque', exposure_eur: 'Exposition (€)', owed_count: 'Abondements dus',
  owed_eur: 'Dû (€)', headcount: 'Effectif déclaré', headcount_differs: 'comptés ici (l’effectif déclaré fait foi)', exposure: 'Exposition légale (entretiens professionnels)',
  exposure_by_entity: 'Exposition par entité', as_of: 'Au', due_soon_is: 'échéance proche : dans les', days: 'jours',
  counts_not_suppressed: 'Ces chiffres sont des comptes d’échéances, pas des réponses : la règle du groupe minimal ne s’y applique pas.',
  campaigns: 'Campagnes en cours', campaigns_open: 'Campagnes ouvertes et leur avancement', campaign: 'Campagne', scope: 'Périmètre',
  everyone: 'Toute l’organisation', eligible: 'Concernés', held_met: 'Réalisés', upcoming: 'À venir', cancelled: 'Annulés',
  progress: 'Avancement', show: 'Afficher', st_default: 'En retard et échéance proche', st_overdue: 'En retard',
  st_due_soon: 'Échéance proche', st_at_risk: 'Abondement à risque', st_owed: 'Abondement dû', people: 'personnes',
  truncated: 'liste tronquée', people_of: 'Salariés de', penalty: 'Abondement (€)', rule: 'Règle',
  month: 'Mois', owed: 'Dus', interviews: 'Entretiens', held: 'Tenus', signed: 'Signés', completion_rate: 'Taux de réalisation',
  completion_over_time: 'Réalisation dans le temps', completion_by_month: 'Réalisation par mois d’échéance', ratings: 'Répartition des notes',
  topic: 'Sujet', question: 'Question', scale: 'Échelle', answers: 'Réponses', mean: 'Moyenne', distribution: 'Répartition',
  needs: 'Besoins', wishes: 'Souhaits', training_needs: 'Besoins de formation', mobility_wishes: 'Souhaits de mobilité',
  wish_to_leave: 'Souhaitent partir', respondents: 'Entretiens clos pris en compte',
  min_group_rule: 'aucun chiffre issu des réponses n’est publié pour moins de {n} réponses',
  fewer_than: 'moins de {n} réponses', suppressed_all: 'Moins de {n} réponses : rien n’est publié pour ce périmètre (règle du groupe minimal).',
  all_types: 'Tous les types', manager_id: 'Manager (matricule)', manager_col: 'Manager', filter: 'Filtrer',
  show_all_deadlines: 'Afficher aussi les échéances non actionnables', shown: 'affichées', matching: 'correspondent',
  deadlines_list: 'Échéances', from: 'Du', to: 'Au', more: 'Afficher les suivants',
  partial_grant: 'Votre accès couvre certaines entités seulement : les chiffres de toute l’organisation ne vous sont pas ouverts. Ouvrez une de vos entités.',
  from_help: 'vide : tout ce qui est encore dû', chart_table: 'les chiffres sont dans le tableau ci-dessous', period: 'Période', apply: 'Appliquer',
  // a campaign from the console
  camp_new: 'Nouvelle campagne', camp_what: 'La campagne', camp_id: 'Identifiant (lettres, chiffres, - _ .)', camp_from: 'Ouverte du',
  camp_to: 'Échéance (fin)', camp_population: 'Population', camp_any_help: 'un champ vide ne filtre pas', camp_any: 'Toutes',
  camp_hired_after: 'Entrés à partir du', camp_hired_before: 'Entrés avant le', camp_preview: 'Voir la population',
  camp_in: 'personnes concernées', camp_who: 'Personnes concernées', camp_create: 'Créer la campagne', camp_q_create: 'Créer la campagne',
  camp_for: 'pour', camp_created: 'Campagne créée :', camp_window: 'Fenêtre', camp_late_joiners: 'Arrivés en cours de campagne',
  camp_late_help: 'Les personnes entrées dans la population après l’ouverture de la campagne (embauchées après le début de sa fenêtre et sa création) : elles doivent aussi leur entretien.',
  camp_late_col: 'Arrivé en cours', camp_new_link: 'Nouvelle campagne', camp_open_page: 'Ouvrir la campagne',
  camp_progress: 'Avancement des entretiens', camp_group_by: 'Regrouper par', camp_by_entity: 'Entité', camp_by_department: 'Service',
  camp_by_manager: 'Manager (qui mène l’entretien)', camp_none_group: '(non renseigné)', camp_planned: 'À planifier', camp_scheduled: 'Planifiés',
  camp_held: 'Tenus', camp_signed: 'Signés', camp_signed_rate: 'Signés / dus', camp_iv_id: 'N° d’entretien',
  camp_remind_title: 'Relancer les retardataires', camp_remind: 'Relancer les retardataires',
  camp_remind_help: 'Un rappel par e-mail, maintenant, à chaque personne dont l’entretien reste à tenir et à la personne qui le mène ; une seule fois par jour et par personne, même si l’on clique deux fois.',
  camp_q_remind: 'Envoyer maintenant un rappel pour les {n} entretiens encore à tenir (la personne et son manager) ?',
  camp_reminded: '{sent} rappels envoyés ({late} personnes en retard ; {already} déjà relancés aujourd’hui).',
  cat_ouvrier_employe: 'Ouvrier / employé', cat_maitrise_technicien: 'Agent de maîtrise / technicien', cat_cadre: 'Cadre',
  // campaign actions, people
  camp_act: 'Agir sur une campagne', camp_action: 'Action', camp_close: 'Clôturer', camp_extend: 'Prolonger', camp_cancel: 'Annuler la campagne',
  camp_new_end: 'Nouvelle date de fin', camp_now_ends: 'fin actuelle :', camp_note: 'Motif', camp_note_help: 'conservé et publié avec la campagne',
  camp_q_close: 'Clôturer la campagne', camp_q_extend: 'Prolonger la campagne', camp_q_cancel: 'Annuler la campagne', camp_until: 'jusqu’au',
  camp_confirm: 'Confirmer', camp_keep: 'Ne rien faire', camp_done_close: 'campagne clôturée', camp_done_extend: 'campagne prolongée jusqu’au',
  camp_done_cancel: 'campagne annulée', camp_not_open: 'Refusé : cette campagne n’est plus ouverte', camp_forbidden: 'Refusé : vous n’avez pas le droit d’agir sur cette campagne.',
  camp_gone: 'Refusé : cette campagne n’existe plus.', refused: 'Refusé',
  people_nav: 'Personnes', people_title: 'Personnes', search_label: 'Nom ou matricule', search: 'Rechercher',
  search_help: 'une partie du nom ou du prénom (accents indifférents) ou le début du matricule ; vide : tout le monde',
  search_results: 'Résultats pour', more_exist: 'il y en a d’autres', name: 'Nom', employee_id: 'Matricule', department: 'Service', site: 'Site',
  position: 'Poste', hired_on: 'Entrée', employed: 'En poste', region: 'Région', category: 'Catégorie', email: 'E-mail', locale: 'Langue',
  contract: 'Contrat', contract_end: 'Fin de contrat', trial_end: 'Fin de période d’essai', left_on: 'Sortie', forfait_jours: 'Forfait jours',
  last_interview_on: 'Dernier entretien tenu', interview: 'Entretien', scheduled_for: 'Planifié le', held_on: 'Tenu le', when: 'Date',
  kind_n: 'Nature', recipient: 'Destinataire', last_error: 'Dernière erreur', attributes: 'Fiche', obligations: 'Échéances et obligations',
  obligations_caption: 'Ses échéances, avec la règle et le motif', interviews_of: 'Ses entretiens', notifications: 'Notifications',
  notifications_about: 'Les notifications la concernant',
  // the recap (Conformité), the calendar link, the follow-up of Résultats, Exploitation
  compliance_nav: 'Conformité', compliance_title: 'État des lieux récapitulatif (6 / 8 ans)',
  recap_help: 'Tous les six ans (périodes achevées avant le 26 octobre 2025), désormais tous les huit ans, l’entretien professionnel fait un état des lieux récapitulatif (L6315-1 II). Dans une entité de 50 salariés ou plus, un récapitulatif manqué ouvre un abondement CPF de 3 000 € (L6323-13) : « dû » quand l’échéance est passée, « à risque » tant qu’elle est à venir.',
  recaps_due: 'Récapitulatifs dus', lapsed: 'Manqués, échus', recap_by_entity: 'Récapitulatifs et abondements par entité',
  recaps_overdue: 'Récapitulatifs en retard', recap_pdf: 'Télécharger le PDF pour les partenaires sociaux',
  recaps_of: 'Récapitulatifs de', recaps_with_met: 'Inclure les récapitulatifs tenus', recap_topups_people: 'Abondements dus et à risque : les personnes',
  cal_title: 'S’abonner au calendrier', cal_help: 'Un lien secret que votre agenda (Outlook, Google Agenda, Thunderbird) lit sans connexion : les échéances de l’organisation que vous pouvez voir, d’un an en arrière à un an devant, mises à jour à chaque lecture. Quiconque a le lien les voit : ne le partagez pas.',
  cal_create: 'Créer mon lien d’abonnement', cal_again: 'Créer un autre lien', cal_revoke: 'Révoquer tous mes liens',
  cal_url: 'Adresse du calendrier (à coller dans « s’abonner à un calendrier »)', cal_once: 'Ce lien n’est montré qu’une fois : copiez-le maintenant. En créer un autre n’annule pas celui-ci ; « Révoquer » les annule tous.',
  cal_copy: 'Copier le lien', cal_open: 'Ouvrir dans mon agenda (webcal)', cal_made: '✔ Lien créé.', cal_revoked: '✔ Tous vos liens sont révoqués.',
  cal_copied: '✔ Lien copié.', cal_copy_by_hand: 'Copie impossible ici : sélectionnez le lien et copiez-le.',
  managers_late: 'Retards des managers', mgr_overdue: 'Échéances en retard', mgr_to_sign: 'À signer par le manager',
  mgr_employee_to_sign: 'À signer par le collaborateur', mgr_chart: 'Les 20 managers les plus en retard',
  signals: 'Signaux (RH)', signal: 'Signal', people_n: 'Personnes', sig_low_engagement: 'Engagement faible',
  sig_wish_to_leave: 'Souhaite partir', sig_no_interview: 'Pas d’entretien depuis longtemps', sig_repeated_overdue: 'Retards répétés',
  signals_rule: 'Signaux individuels, réservés aux RH et aux administrateurs : la règle du groupe minimal (aucun chiffre tiré des réponses pour moins de 5 réponses) ne s’applique qu’aux chiffres agrégés ; ici chaque personne est nommée avec le motif.',
  signals_chart: 'Personnes par signal', signals_by_kind: 'Signaux par nature', signals_people: 'Personnes signalées',
  ops_nav: 'Exploitation', ops_title: 'Exploitation', dl_title: 'Lettres mortes du flux SIRH',
  dl_help: 'Les événements du SIRH que le planificateur a refusés, tels que reçus, avec le champ et le motif. Corrigez la source puis renvoyez l’événement (même identifiant) : il est alors accepté.',
  dl_id: 'N°', dl_received: 'Reçu le', dl_caller: 'Émetteur', dl_outcome: 'Issue', dl_conflict: 'Conflit', dl_rejected: 'Refusé',
  dl_event: 'Événement', dl_field: 'Champ', dl_in_total: 'au total',
  gr_title: 'Habilitations RH', gr_help: 'Lecture seule : un administrateur les change avec entretiensctl access grant / revoke.',
  gr_principal: 'Principal', gr_all: 'toutes', gr_content: 'Lit le contenu', gr_by: 'Accordée par', gr_at: 'Le',
  // templates, interview operations
  templates_nav: 'Modèles', templates_title: 'Modèles d’entretien', templates_back: '← Tous les modèles',
  templates_help: 'Chaque version de chaque modèle ; une version n’est jamais modifiée, un entretien garde celle de sa création.',
  tpl_id: 'Identifiant', tpl_version: 'Version', tpl_questions: 'Questions', tpl_imported: 'Importé le', tpl_imported_by: 'Importé par',
  tpl_who_employee: 'le collaborateur répond', tpl_who_manager: 'le manager répond', tpl_who_both: 'chacun répond',
  tpl_optional: 'facultative', tpl_after_report: 'ouverte au collaborateur après le compte rendu', tpl_options: 'Choix',
  op_title: 'Opérations RH', op_reassign: 'Changer d’interlocuteur', op_reopen: 'Rouvrir', op_cancel: 'Annuler l’entretien',
  op_to: 'Nouvel interlocuteur (matricule)', op_now: 'actuellement :', op_reason_help: 'conservé dans le journal d’audit',
  op_q_reassign: 'Confier cet entretien à', op_q_reopen: 'Rouvrir cet entretien (les signatures seront effacées)', op_q_cancel: 'Annuler cet entretien',
  op_done_reassign: 'Entretien confié à', op_done_reopen: 'Entretien rouvert : il est de nouveau « Tenu », les signatures sont à refaire.',
  gr_manage: 'Donner ou retirer une habilitation', gr_give: 'Habiliter', gr_revoke: 'Retirer l’habilitation',
  gr_ents_help: 'séparées par des virgules ; * pour toutes', gr_q_grant: 'Habiliter', gr_q_revoke: 'Retirer l’habilitation de',
  gr_done_grant: 'Habilitation enregistrée pour', gr_done_revoke: 'Habilitation retirée à',
  dl_resubmit: 'Resoumettre une lettre corrigée', dl_resubmit_go: 'Resoumettre',
  dl_resubmit_help: 'Une fois la cause corrigée (l’entité ou le manager désormais connus…), l’événement est jugé de nouveau : intégré, il quitte la liste ; refusé, une nouvelle lettre garde le motif du jour.',
  dl_resubmitted: 'Lettre', dl_applied: 'intégrée', dl_duplicate: 'déjà intégrée (doublon)', dl_refused_again: 'Refusée de nouveau : lettre', dl_new_letter: 'Une nouvelle lettre garde ce motif (rechargez la page pour la voir).',
  tpl_interviews: 'Entretiens créés', tpl_campaigns: 'Par campagne',
  tpl_import: 'Importer une version', tpl_import_files: 'Fichiers de modèle (JSON)', tpl_import_go: 'Importer',
  tpl_import_help: 'Un document modifié devient une nouvelle version ; les entretiens déjà créés gardent la leur.',
  tpl_import_none: 'Choisissez au moins un fichier.', tpl_out_created: 'créé', tpl_out_new_version: 'nouvelle version',
  tpl_out_unchanged: 'inchangé', tpl_out_rejected: 'refusé',
  op_move_due: 'Déplacer l’échéance', op_step_back: 'Revenir à l’étape précédente',
  op_due: 'Nouvelle échéance', op_legal: 'échéance légale :',
  op_q_move_due: 'Fixer l’échéance de cet entretien au', op_q_step_back: 'Revenir à l’étape précédente (rendez-vous retiré, partages ou compte rendu repris)',
  op_done_move_due: 'Échéance déplacée au', op_done_step_back: 'Entretien revenu à l’étape précédente.',
  op_done_cancel: 'Entretien annulé.', op_stale: 'Refusé : quelqu’un a modifié cet entretien entre-temps ; rechargez la page.',
  op_forbidden: 'Refusé : vous n’avez pas le droit de faire cela sur cet entretien.',
};
type Dict = typeof fr;
const en: Dict = {
  app: 'entretiens', skip: 'Skip to content', signin: 'Sign in', login: 'Login', password: 'Password',
  signin_btn: 'Sign in', signout: 'Sign out', switch_lang: 'Français', switch_lang_label: 'Passer en français',
  bad_login: 'Login or password incorrect.', locked: 'Account locked after too many attempts: try again later.',
  my: 'My interviews', team: 'My team', next: 'Next interview', none_next: 'No interview coming up.',
  todo: 'To do', past: 'Past interviews', none: 'Nothing yet.', deadlines: 'My deadlines',
  with: 'with', manager: 'your manager', place: 'Place', video: 'Video link', open: 'Open', prepare: 'Prepare',
  due: 'due', duration: 'Duration (minutes)', date: 'Date', time: 'Time', schedule: 'Schedule',
  reschedule: 'Reschedule', save: 'Save', cancel: 'Cancel', not_scheduled: 'Date to be set',
  late: 'Overdue', history: 'Show history', list: 'List', calendar: 'Calendar',
  prev_month: 'Previous month', next_month: 'Next month', late_items: 'Overdue in my team',
  waiting_sign: 'Awaiting signature', employee: 'Employee', type: 'Type', status: 'Status',
  saved: 'Saved', saving: 'Saving…', unsaved: 'Unsaved changes',
  conflict: 'Someone else changed this interview while you were writing. Your text is kept below: nothing is lost.',
  reload_merge: 'Reload and merge', share: 'Share my preparation', shared_done: 'Preparation shared',
  hold: 'Mark as held', report: 'Confirm the report', sign: 'Sign', sign_comment: 'Comment (optional)',
  signed_by_employee: 'Signed by the employee', signed_by_manager: 'Signed by the manager', pdf: 'Download PDF',
  notes: 'Manager’s private notes (never shown to the employee)', your_answer: 'Your answer',
  their_answer_employee: 'Employee’s answer', their_answer_manager: 'Manager’s answer',
  not_shared: 'Not shared yet.', weight: 'Weight (%)', title: 'Title', measure: 'Measure', due_date: 'Due date',
  attainment: 'Attainment (%)', comment: 'Comment', add: 'Add', remove: 'Remove', theme: 'Theme',
  priority: 'Priority', modality: 'Modality', horizon: 'Horizon', kind: 'Wish', item: 'Competency',
  level: 'Level', owner: 'Owner (employee id)', yes: 'Yes', no: 'No', choose: '— choose —',
  carried: 'Carried from the previous interview', objectives_carried: 'Objectives', actions_carried: 'Action items',
  error: 'Error', not_found: 'This interview does not exist or is not open to you.', retry: 'Try again',
  loading: 'Loading…', done: 'Done', back: 'Back', required: 'required', digest: 'Report digest',
  video_join: 'Join the video call', signed_on: 'signed on', relation_interviewer: 'You hold this interview.',
  who_employee: 'For the employee', who_manager: 'For the manager', who_both: 'Each answers',
  network: 'The server does not answer. Your changes are kept in the page.', reason: 'Reason',
  prio_high: 'high', prio_medium: 'medium', prio_low: 'low', colon: ': ',
  prefs: 'My preferences', prefs_mail: 'E-mails', prefs_address: 'Address', prefs_lang: 'Language of my e-mails',
  prefs_hris: 'The HR system’s', prefs_digest: 'One summary e-mail a day for my team',
  expired: 'Your session ended. Your text is kept in this page: sign in again in another tab, then try again.',
  pilotage: 'Overview', results: 'Results', deadline_calendar: 'Deadline calendar', deadlines_nav: 'Deadlines',
  not_allowed_title: 'Not allowed', not_allowed: 'You are not allowed to see this page: it is for HR and administrators.',
  csv: 'Download (CSV)', total: 'Total', entity: 'Entity', employees: 'Employees', up_to_date: 'Up to date', due_soon: 'Due soon',
  overdue_people: 'Overdue', at_risk: 'Top-ups at risk', exposure_eur: 'Exposure (€)', owed_count: 'Top-ups owed',
  owed_eur: 'Owed (€)', headcount: 'Declared headcount', headcount_differs: 'counted here (the declared headcount governs)', exposure: 'Legal exposure (professional interviews)',
  exposure_by_entity: 'Exposure by entity', as_of: 'As of', due_soon_is: 'due soon: within', days: 'days',
  counts_not_suppressed: 'These figures count deadlines, not answers: the minimum-group rule does not apply to them.',
  campaigns: 'Campaigns in progress', campaigns_open: 'Open campaigns and their progress', campaign: 'Campaign', scope: 'Scope',
  everyone: 'The whole organisation', eligible: 'Eligible', held_met: 'Done', upcoming: 'Upcoming', cancelled: 'Cancelled',
  progress: 'Progress', show: 'Show', st_default: 'Overdue and due soon', st_overdue: 'Overdue',
  st_due_soon: 'Due soon', st_at_risk: 'Top-up at risk', st_owed: 'Top-up owed', people: 'people',
  truncated: 'list truncated', people_of: 'Employees of', penalty: 'Top-up (€)', rule: 'Rule',
  month: 'Month', owed: 'Owed', interviews: 'Interviews', held: 'Held', signed: 'Signed', completion_rate: 'Completion rate',
  completion_over_time: 'Completion over time', completion_by_month: 'Completion by month due', ratings: 'Ratings distribution',
  topic: 'Topic', question: 'Question', scale: 'Scale', answers: 'Answers', mean: 'Mean', distribution: 'Distribution',
  needs: 'Needs', wishes: 'Wishes', training_needs: 'Training needs', mobility_wishes: 'Mobility wishes',
  wish_to_leave: 'Wish to leave', respondents: 'Closed interviews counted',
  min_group_rule: 'no answer-derived figure is published for fewer than {n} answers',
  fewer_than: 'fewer than {n} answers', suppressed_all: 'Fewer than {n} answers: nothing is published for this selection (minimum-group rule).',
  all_types: 'All types', manager_id: 'Manager (employee id)', manager_col: 'Manager', filter: 'Filter',
  show_all_deadlines: 'Also show deadlines that need no interview', shown: 'shown', matching: 'match',
  deadlines_list: 'Deadlines', from: 'From', to: 'To', more: 'Show the next ones',
  partial_grant: 'Your access covers some entities only: the whole organisation’s figures are not open to you. Open one of your entities.',
  from_help: 'empty: everything still owed', chart_table: 'the figures are in the table below', period: 'Period', apply: 'Apply',
  camp_new: 'New campaign', camp_what: 'The campaign', camp_id: 'Id (letters, digits, - _ .)', camp_from: 'Open from',
  camp_to: 'Due by (end)', camp_population: 'Population', camp_any_help: 'an empty field does not filter', camp_any: 'Any',
  camp_hired_after: 'Hired on or after', camp_hired_before: 'Hired before', camp_preview: 'Show the population',
  camp_in: 'people concerned', camp_who: 'People concerned', camp_create: 'Create the campaign', camp_q_create: 'Create the campaign',
  camp_for: 'for', camp_created: 'Campaign created:', camp_window: 'Window', camp_late_joiners: 'Joined during the campaign',
  camp_late_help: 'People who entered the population after the campaign opened (hired after the start of its window and its creation): they owe their interview too.',
  camp_late_col: 'Joined late', camp_new_link: 'New campaign', camp_open_page: 'Open the campaign',
  camp_progress: 'Interviews’ progress', camp_group_by: 'Group by', camp_by_entity: 'Entity', camp_by_department: 'Department',
  camp_by_manager: 'Manager (holding the interview)', camp_none_group: '(not set)', camp_planned: 'To schedule', camp_scheduled: 'Scheduled',
  camp_held: 'Held', camp_signed: 'Signed', camp_signed_rate: 'Signed / owed', camp_iv_id: 'Interview no.',
  camp_remind_title: 'Remind the late ones', camp_remind: 'Remind the late ones',
  camp_remind_help: 'One e-mail now to each person whose interview is still to hold and to whoever holds it; once a day per person, even after a second click.',
  camp_q_remind: 'Send a reminder now for the {n} interviews still to hold (the person and her manager)?',
  camp_reminded: '{sent} reminders sent ({late} people late; {already} already reminded today).',
  cat_ouvrier_employe: 'Worker / clerical', cat_maitrise_technicien: 'Supervisor / technician', cat_cadre: 'Executive',
  camp_act: 'Act on a campaign', camp_action: 'Action', camp_close: 'Close', camp_extend: 'Extend', camp_cancel: 'Cancel the campaign',
  camp_new_end: 'New end date', camp_now_ends: 'ends now:', camp_note: 'Reason', camp_note_help: 'kept and published with the campaign',
  camp_q_close: 'Close the campaign', camp_q_extend: 'Extend the campaign', camp_q_cancel: 'Cancel the campaign', camp_until: 'until',
  camp_confirm: 'Confirm', camp_keep: 'Do nothing', camp_done_close: 'campaign closed', camp_done_extend: 'campaign extended until',
  camp_done_cancel: 'campaign cancelled', camp_not_open: 'Refused: this campaign is no longer open', camp_forbidden: 'Refused: you may not act on this campaign.',
  camp_gone: 'Refused: this campaign no longer exists.', refused: 'Refused',
  people_nav: 'People', people_title: 'People', search_label: 'Name or employee id', search: 'Search',
  search_help: 'a part of the first or last name (accents ignored) or the start of the employee id; empty: everyone',
  search_results: 'Results for', more_exist: 'there are more', name: 'Name', employee_id: 'Employee id', department: 'Department', site: 'Site',
  position: 'Position', hired_on: 'Hired', employed: 'Employed', region: 'Region', category: 'Category', email: 'E-mail', locale: 'Language',
  contract: 'Contract', contract_end: 'Contract end', trial_end: 'Trial end', left_on: 'Left', forfait_jours: 'Days-based',
  last_interview_on: 'Last interview held', interview: 'Interview', scheduled_for: 'Scheduled for', held_on: 'Held on', when: 'Date',
  kind_n: 'Kind', recipient: 'Recipient', last_error: 'Last error', attributes: 'Record', obligations: 'Deadlines and obligations',
  obligations_caption: 'Her deadlines, with the rule and the reason', interviews_of: 'Her interviews', notifications: 'Notifications',
  notifications_about: 'The notifications about her',
  compliance_nav: 'Compliance', compliance_title: 'Professional recap (6 / 8 years)',
  recap_help: 'Every six years (periods that ended before 26 October 2025), now every eight years, the professional interview makes a recap (L6315-1 II). In an entity of 50 or more, a missed recap owes a EUR 3,000 CPF top-up (L6323-13): "owed" once the deadline has passed, "at risk" while it is ahead.',
  recaps_due: 'Recaps due', lapsed: 'Missed, lapsed', recap_by_entity: 'Recaps and top-ups by entity',
  recaps_overdue: 'Recaps overdue', recap_pdf: 'Download the PDF for the social partners',
  recaps_of: 'Recaps of', recaps_with_met: 'Include the recaps held', recap_topups_people: 'Top-ups owed and at risk: the people',
  cal_title: 'Subscribe to the calendar', cal_help: 'A secret link your calendar (Outlook, Google Calendar, Thunderbird) reads without signing in: the organisation’s deadlines you may see, from a year back to a year ahead, updated at every read. Anyone with the link sees them: do not share it.',
  cal_create: 'Create my subscription link', cal_again: 'Create another link', cal_revoke: 'Revoke all my links',
  cal_url: 'Calendar address (paste it in "subscribe to a calendar")', cal_once: 'This link is shown once: copy it now. Creating another does not end this one; "Revoke" ends them all.',
  cal_copy: 'Copy the link', cal_open: 'Open in my calendar (webcal)', cal_made: '✔ Link created.', cal_revoked: '✔ All your links are revoked.',
  cal_copied: '✔ Link copied.', cal_copy_by_hand: 'Cannot copy here: select the link and copy it.',
  managers_late: 'Managers’ late items', mgr_overdue: 'Deadlines overdue', mgr_to_sign: 'For the manager to sign',
  mgr_employee_to_sign: 'For the employee to sign', mgr_chart: 'The 20 managers most behind',
  signals: 'Signals (HR)', signal: 'Signal', people_n: 'People', sig_low_engagement: 'Low engagement',
  sig_wish_to_leave: 'Wishes to leave', sig_no_interview: 'No interview for long', sig_repeated_overdue: 'Repeatedly overdue',
  signals_rule: 'Individual signals, for HR and administrators only: the minimum-group rule (no answer-derived figure for fewer than 5 answers) applies to aggregated figures; here each person is named with the reason.',
  signals_chart: 'People per signal', signals_by_kind: 'Signals by kind', signals_people: 'People flagged',
  ops_nav: 'Operations', ops_title: 'Operations', dl_title: 'HRIS feed dead letters',
  dl_help: 'The HRIS events the scheduler refused, as received, with the field and the reason. Fix the source, then send the event again (same id): it is then accepted.',
  dl_id: 'No.', dl_received: 'Received', dl_caller: 'Sender', dl_outcome: 'Outcome', dl_conflict: 'Conflict', dl_rejected: 'Rejected',
  dl_event: 'Event', dl_field: 'Field', dl_in_total: 'in total',
  gr_title: 'HR access grants', gr_help: 'Read only: an administrator changes them with entretiensctl access grant / revoke.',
  gr_principal: 'Principal', gr_all: 'all', gr_content: 'Reads content', gr_by: 'Granted by', gr_at: 'On',
  templates_nav: 'Templates', templates_title: 'Interview templates', templates_back: '← All templates',
  templates_help: 'Every version of every template; a version is never changed, an interview keeps the one it was created with.',
  tpl_id: 'Id', tpl_version: 'Version', tpl_questions: 'Questions', tpl_imported: 'Imported', tpl_imported_by: 'Imported by',
  tpl_who_employee: 'the employee answers', tpl_who_manager: 'the manager answers', tpl_who_both: 'each answers',
  tpl_optional: 'optional', tpl_after_report: 'open to the employee after the report', tpl_options: 'Options',
  op_title: 'HR operations', op_reassign: 'Change the interviewer', op_reopen: 'Reopen', op_cancel: 'Cancel the interview',
  op_to: 'New interviewer (employee id)', op_now: 'now:', op_reason_help: 'kept in the audit trail',
  op_q_reassign: 'Give this interview to', op_q_reopen: 'Reopen this interview (the signatures will be cleared)', op_q_cancel: 'Cancel this interview',
  op_done_reassign: 'Interview given to', op_done_reopen: 'Interview reopened: it is "Held" again, the signatures are to be made again.',
  gr_manage: 'Give or take back a grant', gr_give: 'Grant', gr_revoke: 'Take the grant back',
  gr_ents_help: 'comma-separated; * for all', gr_q_grant: 'Grant', gr_q_revoke: 'Take back the grant of',
  gr_done_grant: 'Grant recorded for', gr_done_revoke: 'Grant taken back from',
  dl_resubmit: 'Resubmit a corrected letter', dl_resubmit_go: 'Resubmit',
  dl_resubmit_help: 'Once its cause is fixed (the entity or the manager now known…), the event is judged again: accepted, it leaves the list; refused, a new letter keeps today’s reason.',
  dl_resubmitted: 'Letter', dl_applied: 'applied', dl_duplicate: 'already applied (duplicate)', dl_refused_again: 'Refused again: letter', dl_new_letter: 'A new letter keeps this reason (reload the page to see it).',
  tpl_interviews: 'Interviews created', tpl_campaigns: 'By campaign',
  tpl_import: 'Import a version', tpl_import_files: 'Template files (JSON)', tpl_import_go: 'Import',
  tpl_import_help: 'A changed document becomes a new version; interviews already created keep theirs.',
  tpl_import_none: 'Choose at least one file.', tpl_out_created: 'created', tpl_out_new_version: 'new version',
  tpl_out_unchanged: 'unchanged', tpl_out_rejected: 'rejected',
  op_move_due: 'Move the deadline', op_step_back: 'Step back one stage',
  op_due: 'New deadline', op_legal: 'legal deadline:',
  op_q_move_due: 'Set this interview’s deadline to', op_q_step_back: 'Step back one stage (meeting withdrawn, shares or report taken back)',
  op_done_move_due: 'Deadline moved to', op_done_step_back: 'Interview stepped back one stage.',
  op_done_cancel: 'Interview cancelled.', op_stale: 'Refused: someone changed this interview meanwhile; reload the page.',
  op_forbidden: 'Refused: you may not do this to this interview.',
};
export type Key = keyof Dict;
export const t = (k: Key): string => (lang.get() === 'en' ? en : fr)[k];
// a quoted name or query, in each language's marks
export const quote = (x: string) => (lang.get() === 'en' ? `“${x}”` : `« ${x} »`);

const types: Record<string, [string, string]> = {
  annual_review: ['Entretien annuel d’évaluation', 'Annual review'],
  professional: ['Entretien professionnel', 'Professional interview'],
  professional_recap: ['État des lieux récapitulatif', 'Professional recap'],
  professional_return: ['Entretien professionnel de reprise', 'Professional return interview'],
  professional_mid_career: ['Entretien professionnel de mi-carrière', 'Mid-career professional interview'],
  professional_end_of_career: ['Entretien professionnel de fin de carrière', 'End-of-career professional interview'],
  return_to_work: ['Entretien de reprise', 'Return interview'],
  internal_mobility: ['Entretien de mobilité', 'Mobility interview'],
  corrective: ['Entretien de recadrage', 'Corrective interview'],
  end_of_trial: ['Fin de période d’essai', 'End of trial'],
  end_of_contract: ['Fin de contrat', 'End of contract'],
  workload_review: ['Entretien forfait jours', 'Workload review'],
};
export const TYPES = Object.keys(types);
export const typeName = (k: string) => (types[k] ? types[k][lang.get() === 'en' ? 1 : 0] : k);

// A state is a word and an icon (never a colour alone).
const states: Record<string, [string, string, string]> = {
  planned: ['○', 'À planifier', 'To schedule'],
  scheduled: ['◷', 'Planifié', 'Scheduled'],
  preparation: ['✎', 'En préparation', 'In preparation'],
  shared: ['⇄', 'Préparations partagées', 'Preparations shared'],
  held: ['●', 'Tenu', 'Held'],
  reported: ['✍', 'À signer', 'Awaiting signature'],
  signed_employee: ['✍', 'Signé par le collaborateur', 'Signed by the employee'],
  signed_manager: ['✍', 'Signé par le manager', 'Signed by the manager'],
  closed: ['✔', 'Signé', 'Signed'],
  cancelled: ['✕', 'Annulé', 'Cancelled'],
  upcoming: ['◷', 'À venir', 'Upcoming'],
  overdue: ['⚠', 'En retard', 'Overdue'],
  met: ['✔', 'Réalisé', 'Met'],
  waived: ['–', 'Levé', 'Waived'],
  due_soon: ['◷', 'Échéance proche', 'Due soon'],
  up_to_date: ['✔', 'À jour', 'Up to date'],
  at_risk: ['€', 'Abondement à risque', 'Top-up at risk'],
  owed: ['€', 'Abondement dû', 'Top-up owed'],
};
export const stateOf = (k: string): [string, string] => {
  const s = states[k];
  return s ? [s[0], s[lang.get() === 'en' ? 2 : 1]] : ['•', k];
};

// Dates as UI.md says: "lundi 12 janvier 2027" in French, "12 Jan 2027" in English.
const parseDay = (d: string) => { const [y, m, j] = d.split('-').map(Number); return new Date(y, m - 1, j); };
export function fmtDay(d?: string | Date): string {
  if (!d) return '';
  const x = typeof d === 'string' ? parseDay(d) : d;
  return lang.get() === 'en'
    ? x.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
    : x.toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
export function fmtShort(d?: string): string {
  if (!d) return '';
  const x = parseDay(d);
  return lang.get() === 'en'
    ? x.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
    : x.toLocaleDateString('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric' });
}
export function fmtWhen(ms?: number): string {
  if (!ms) return '';
  const x = new Date(ms);
  const time = x.toLocaleTimeString(lang.get() === 'en' ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
  return lang.get() === 'en' ? `${fmtDay(x)}, ${time}` : `${fmtDay(x)} à ${time}`;
}
export function monthName(y: number, m: number): string {
  return new Date(y, m, 1).toLocaleDateString(lang.get() === 'en' ? 'en-GB' : 'fr-FR', { month: 'long', year: 'numeric' });
}
