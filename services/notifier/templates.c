/*  templates.c — the built-in message templates (render.h): data only.
 *
 *  Each message says what is due, for whom, by when, and what to do next.
 *  "footer" is appended to every body.  Placeholders: render.h and
 *  docs/notifier.md.  An operator replaces any of these with a JSON file
 *  (ENTRETIENS_NOTIFIER_TEMPLATES); `entretiensctl notifications templates`
 *  prints the effective set in that format.
 */
#include "templates.h"

#include <stddef.h>

const ntf_builtin_type_t ntf_builtin_types[] = {
    { "fr", "annual_review", "entretien annuel d'évaluation" },
    { "fr", "professional", "entretien professionnel" },
    { "fr", "professional_recap", "entretien professionnel récapitulatif (état des lieux)" },
    { "fr", "professional_return", "entretien professionnel de retour" },
    { "fr", "professional_mid_career", "entretien professionnel de mi-carrière" },
    { "fr", "professional_end_of_career", "entretien professionnel de fin de carrière" },
    { "fr", "return_to_work", "entretien de reprise" },
    { "fr", "return_medical_visit", "visite médicale de reprise" },
    { "fr", "internal_mobility", "entretien de mobilité interne" },
    { "fr", "end_of_trial", "entretien de fin de période d'essai" },
    { "fr", "end_of_contract", "entretien de fin de contrat" },
    { "fr", "workload_review", "entretien sur la charge de travail (forfait jours)" },
    { "fr", "corrective", "entretien de recadrage" },
    { "en", "annual_review", "annual review" },
    { "en", "professional", "professional interview" },
    { "en", "professional_recap", "professional recap interview (état des lieux)" },
    { "en", "professional_return", "return professional interview" },
    { "en", "professional_mid_career", "mid-career professional interview" },
    { "en", "professional_end_of_career", "end-of-career professional interview" },
    { "en", "return_to_work", "return-to-work interview" },
    { "en", "return_medical_visit", "return-to-work medical visit" },
    { "en", "internal_mobility", "internal mobility interview" },
    { "en", "end_of_trial", "end-of-trial interview" },
    { "en", "end_of_contract", "end-of-contract interview" },
    { "en", "workload_review", "workload review (forfait jours)" },
    { "en", "corrective", "corrective interview" },
    { NULL, NULL, NULL },
};

const ntf_builtin_message_t ntf_builtin_messages[] = {
    /* ------------------------------------------------------------ français */
    { "fr", "footer", "",
      "{{#late}}\n"
      "Ce message part en retard : il était prévu pour le {{fire_date}}.\n"
      "{{/late}}"
      "\n-- \n"
      "entretiens · message automatique, merci de ne pas y répondre.\n" },
    { "fr", "reminder.employee", "Rappel : {{type}} à tenir avant le {{due_date}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Une échéance approche pour vous :\n"
      "  {{type}}, à tenir au plus tard le {{due_date}} ({{when}}).\n"
      "{{#manager_name}}  Avec : {{manager_name}}\n{{/manager_name}}"
      "\n"
      "Prochaine étape : convenez d'une date avec votre responsable. Vous recevrez\n"
      "une invitation dès que l'entretien sera planifié.\n" },
    { "fr", "reminder.manager", "Rappel : {{type}} de {{employee_name}} à tenir avant le {{due_date}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Une échéance approche pour {{employee_name}} ({{employee_id}}) :\n"
      "  {{type}}, à tenir au plus tard le {{due_date}} ({{when}}).\n"
      "\n"
      "Prochaine étape : fixez une date avec {{employee_name}} et planifiez\n"
      "l'entretien ; l'invitation partira automatiquement à vous deux.\n" },
    { "fr", "overdue.employee", "En retard : {{type}} (échéance du {{due_date}})",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "L'échéance est dépassée :\n"
      "  {{type}}, à tenir au plus tard le {{due_date}} ({{when}}).\n"
      "\n"
      "Prochaine étape : rapprochez-vous de votre responsable pour fixer une date\n"
      "au plus vite.\n" },
    { "fr", "overdue.manager", "En retard : {{type}} de {{employee_name}} (échéance du {{due_date}})",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "L'échéance est dépassée pour {{employee_name}} ({{employee_id}}) :\n"
      "  {{type}}, à tenir au plus tard le {{due_date}} ({{when}}).\n"
      "\n"
      "Prochaine étape : planifiez l'entretien sans attendre. À défaut, votre propre\n"
      "responsable et les RH en seront informés.\n" },
    { "fr", "escalation", "Escalade : {{type}} de {{employee_name}} en retard depuis le {{due_date}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Pour information et action, une échéance est dépassée :\n"
      "  {{employee_name}} ({{employee_id}}){{#manager_name}}, équipe de {{manager_name}}{{/manager_name}}\n"
      "  {{type}}, à tenir au plus tard le {{due_date}} ({{when}}).\n"
      "\n"
      "Prochaine étape : faites en sorte que l'entretien soit planifié et tenu au plus\n"
      "vite{{#manager_name}} (voyez avec {{manager_name}}){{/manager_name}}. Les RH sont en copie.\n" },
    { "fr", "invitation.employee", "Invitation : {{type}} le {{start}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Un rendez-vous est planifié pour vous :\n"
      "  {{type}}\n"
      "  Date : {{start}}{{#duration}} ({{duration}} min){{/duration}}\n"
      "{{#place}}  Lieu : {{place}}\n{{/place}}"
      "{{#video_link}}  Visioconférence : {{video_link}}\n{{/video_link}}"
      "{{#manager_name}}  Avec : {{manager_name}}\n{{/manager_name}}"
      "\n"
      "L'invitation est jointe (fichier .ics) : ajoutez-la à votre agenda.\n"
      "Prochaine étape : préparez l'entretien (bilan de la période, souhaits\n"
      "d'évolution, besoins de formation).\n" },
    { "fr", "invitation.manager", "Invitation : {{type}} de {{employee_name}} le {{start}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Un rendez-vous est planifié avec {{employee_name}} ({{employee_id}}) :\n"
      "  {{type}}\n"
      "  Date : {{start}}{{#duration}} ({{duration}} min){{/duration}}\n"
      "{{#place}}  Lieu : {{place}}\n{{/place}}"
      "{{#video_link}}  Visioconférence : {{video_link}}\n{{/video_link}}"
      "\n"
      "L'invitation est jointe (fichier .ics) : ajoutez-la à votre agenda.\n"
      "Prochaine étape : préparez l'entretien et la trame à remplir ensemble.\n" },
    { "fr", "cancellation.employee", "Annulé : {{type}} du {{start}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Ce rendez-vous est annulé :\n"
      "  {{type}}, prévu le {{start}}.\n"
      "Le fichier joint le retire de votre agenda.\n"
      "\n"
      "Prochaine étape : rien à faire ; s'il est replanifié, une nouvelle invitation\n"
      "vous parviendra.\n" },
    { "fr", "cancellation.manager", "Annulé : {{type}} de {{employee_name}} du {{start}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Ce rendez-vous avec {{employee_name}} ({{employee_id}}) est annulé :\n"
      "  {{type}}, prévu le {{start}}.\n"
      "Le fichier joint le retire de votre agenda.\n"
      "\n"
      "Prochaine étape : si l'entretien reste dû, planifiez une nouvelle date.\n" },
    { "fr", "sign_request.employee", "À signer : compte rendu, {{type}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Ce rendez-vous a eu lieu{{#reopened}} et son compte rendu a été rouvert{{/reopened}} :\n"
      "  {{type}}{{#manager_name}}, avec {{manager_name}}{{/manager_name}}\n"
      "\n"
      "Prochaine étape : relisez le compte rendu et signez-le. Vous pouvez y ajouter\n"
      "vos observations avant de signer.\n"
      "{{#interview_url}}\nLe compte rendu : {{interview_url}}\n{{/interview_url}}" },
    { "fr", "sign_request.manager", "À signer : compte rendu, {{type}} de {{employee_name}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Ce rendez-vous a eu lieu{{#reopened}} et son compte rendu a été rouvert{{/reopened}} :\n"
      "  {{type}} de {{employee_name}} ({{employee_id}})\n"
      "\n"
      "Prochaine étape : finalisez le compte rendu et signez-le ; {{employee_name}}\n"
      "est invité(e) à le signer aussi.\n"
      "{{#interview_url}}\nLe compte rendu : {{interview_url}}\n{{/interview_url}}" },
    { "fr", "signed.employee", "Signé : compte rendu, {{type}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Le compte rendu est signé par les deux parties :\n"
      "  {{type}}\n"
      "\n"
      "Prochaine étape : aucune. Il est conservé et vous pouvez le consulter à tout\n"
      "moment ; les objectifs et actions décidés seront repris au prochain entretien.\n"
      "{{#interview_url}}\nLe compte rendu : {{interview_url}}\n{{/interview_url}}"
      "{{#report_url}}Votre exemplaire en PDF : {{report_url}}\n{{/report_url}}" },
    { "fr", "signed.manager", "Signé : {{type}} de {{employee_name}}",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Le compte rendu est signé par les deux parties :\n"
      "  {{type}} de {{employee_name}} ({{employee_id}})\n"
      "\n"
      "Prochaine étape : suivez les objectifs et actions décidés ; ils seront repris\n"
      "au prochain entretien.\n"
      "{{#interview_url}}\nLe compte rendu : {{interview_url}}\n{{/interview_url}}"
      "{{#report_url}}En PDF : {{report_url}}\n{{/report_url}}" },
    { "fr", "digest", "Vos entretiens du jour : {{count}} point(s) à suivre",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Voici les entretiens de votre équipe qui demandent votre attention :\n"
      "\n"
      "{{items}}"
      "\n"
      "Prochaine étape : planifiez les entretiens à venir et tenez en priorité ceux\n"
      "qui sont en retard.\n" },
    { "fr", "digest_item.reminder", "", "- {{employee_name}} : {{type}}, à tenir avant le {{due_date}} ({{when}})\n" },
    { "fr", "digest_item.overdue", "", "- {{employee_name}} : {{type}}, EN RETARD, échéance du {{due_date}} ({{when}})\n" },
    { "fr", "digest_item.escalation", "",
      "- {{employee_name}} : {{type}}, ESCALADE, échéance du {{due_date}} ({{when}})\n" },
    { "fr", "catchup", "Rattrapage : {{count}} entretien(s) en retard à organiser",
      "Bonjour {{recipient_name}},\n"
      "\n"
      "Ces entretiens sont déjà en retard et aucun rappel n'a pu partir à temps\n"
      "(retard constaté à la mise en service ou à l'arrivée des données RH).\n"
      "Ils peuvent encore être tenus :\n"
      "\n"
      "{{items}}"
      "{{#total_penalty}}"
      "\n"
      "Exposition si rien n'est fait : {{total_penalty}} d'abondement CPF.\n"
      "{{/total_penalty}}"
      "\n"
      "Prochaine étape : planifiez-les en priorité, en commençant par ceux qui\n"
      "exposent l'entreprise à un abondement.\n" },
    { "fr", "digest_item.catchup", "",
      "- {{employee_name}} : {{type}}, en retard depuis le {{due_date}}{{#penalty}}, exposition {{penalty}}{{/penalty}}\n" },

    /* ------------------------------------------------------------ English */
    { "en", "footer", "",
      "{{#late}}\n"
      "This message is late: it was planned for {{fire_date}}.\n"
      "{{/late}}"
      "\n-- \n"
      "entretiens · automatic message, please do not reply.\n" },
    { "en", "reminder.employee", "Reminder: {{type}} due by {{due_date}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "A deadline is coming up for you:\n"
      "  {{type}}, to be held by {{due_date}} ({{when}}).\n"
      "{{#manager_name}}  With: {{manager_name}}\n{{/manager_name}}"
      "\n"
      "Next step: agree on a date with your manager. You will receive an invitation\n"
      "as soon as the interview is scheduled.\n" },
    { "en", "reminder.manager", "Reminder: {{type}} of {{employee_name}} due by {{due_date}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "A deadline is coming up for {{employee_name}} ({{employee_id}}):\n"
      "  {{type}}, to be held by {{due_date}} ({{when}}).\n"
      "\n"
      "Next step: agree on a date with {{employee_name}} and schedule the interview;\n"
      "the invitation will go to both of you automatically.\n" },
    { "en", "overdue.employee", "Overdue: {{type}} (was due {{due_date}})",
      "Hello {{recipient_name}},\n"
      "\n"
      "A deadline has passed:\n"
      "  {{type}}, to be held by {{due_date}} ({{when}}).\n"
      "\n"
      "Next step: ask your manager to set a date as soon as possible.\n" },
    { "en", "overdue.manager", "Overdue: {{type}} of {{employee_name}} (was due {{due_date}})",
      "Hello {{recipient_name}},\n"
      "\n"
      "The deadline has passed for {{employee_name}} ({{employee_id}}):\n"
      "  {{type}}, to be held by {{due_date}} ({{when}}).\n"
      "\n"
      "Next step: schedule the interview now. Otherwise your own manager and HR\n"
      "will be informed.\n" },
    { "en", "escalation", "Escalation: {{type}} of {{employee_name}} overdue since {{due_date}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "For your information and action: {{employee_name}} ({{employee_id}}){{#manager_name}}, in the team\n"
      "of {{manager_name}},{{/manager_name}} has not had their {{type}}, due by {{due_date}} ({{when}}).\n"
      "\n"
      "Next step: make sure the interview is scheduled and held promptly{{#manager_name}}\n"
      "(see {{manager_name}}){{/manager_name}}. HR is copied.\n" },
    { "en", "invitation.employee", "Invitation: {{type}} on {{start}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "Your {{type}} is scheduled:\n"
      "  When: {{start}}{{#duration}} ({{duration}} min){{/duration}}\n"
      "{{#place}}  Where: {{place}}\n{{/place}}"
      "{{#video_link}}  Video call: {{video_link}}\n{{/video_link}}"
      "{{#manager_name}}  With: {{manager_name}}\n{{/manager_name}}"
      "\n"
      "The invitation is attached (.ics file): add it to your calendar.\n"
      "Next step: prepare the interview (review of the period, career wishes,\n"
      "training needs).\n" },
    { "en", "invitation.manager", "Invitation: {{type}} of {{employee_name}} on {{start}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "The {{type}} of {{employee_name}} ({{employee_id}}) is scheduled:\n"
      "  When: {{start}}{{#duration}} ({{duration}} min){{/duration}}\n"
      "{{#place}}  Where: {{place}}\n{{/place}}"
      "{{#video_link}}  Video call: {{video_link}}\n{{/video_link}}"
      "\n"
      "The invitation is attached (.ics file): add it to your calendar.\n"
      "Next step: prepare the interview and the form you will fill in together.\n" },
    { "en", "cancellation.employee", "Cancelled: {{type}} on {{start}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "Your {{type}} planned on {{start}} is cancelled. The attached file removes it\n"
      "from your calendar.\n"
      "\n"
      "Next step: nothing to do; if it is rescheduled you will receive a new invitation.\n" },
    { "en", "cancellation.manager", "Cancelled: {{type}} of {{employee_name}} on {{start}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "The {{type}} of {{employee_name}} ({{employee_id}}) planned on {{start}} is cancelled.\n"
      "The attached file removes it from your calendar.\n"
      "\n"
      "Next step: if the interview is still due, schedule a new date.\n" },
    { "en", "sign_request.employee", "To sign: report of your {{type}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "Your {{type}}{{#manager_name}} with {{manager_name}}{{/manager_name}} has been held"
      "{{#reopened}} and its report was reopened{{/reopened}}.\n"
      "\n"
      "Next step: read the report and sign it. You may add your comments before signing.\n"
      "{{#interview_url}}\nThe report: {{interview_url}}\n{{/interview_url}}" },
    { "en", "sign_request.manager", "To sign: report of the {{type}} of {{employee_name}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "The {{type}} of {{employee_name}} ({{employee_id}}) has been held"
      "{{#reopened}} and its report was reopened{{/reopened}}.\n"
      "\n"
      "Next step: complete the report and sign it; {{employee_name}} is asked to sign\n"
      "it too.\n"
      "{{#interview_url}}\nThe report: {{interview_url}}\n{{/interview_url}}" },
    { "en", "signed.employee", "Signed: report of your {{type}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "The report of your {{type}} is signed by both parties.\n"
      "\n"
      "Next step: none. It is kept and you can read it at any time; the objectives\n"
      "and actions agreed will be reviewed at your next interview.\n"
      "{{#interview_url}}\nThe report: {{interview_url}}\n{{/interview_url}}"
      "{{#report_url}}Your copy as a PDF: {{report_url}}\n{{/report_url}}" },
    { "en", "signed.manager", "Signed: {{type}} of {{employee_name}}",
      "Hello {{recipient_name}},\n"
      "\n"
      "The report of the {{type}} of {{employee_name}} ({{employee_id}}) is signed by\n"
      "both parties.\n"
      "\n"
      "Next step: follow up the objectives and actions agreed; they will be reviewed\n"
      "at the next interview.\n"
      "{{#interview_url}}\nThe report: {{interview_url}}\n{{/interview_url}}"
      "{{#report_url}}As a PDF: {{report_url}}\n{{/report_url}}" },
    { "en", "digest", "Your interviews today: {{count}} item(s) to follow up",
      "Hello {{recipient_name}},\n"
      "\n"
      "These interviews of your team need your attention:\n"
      "\n"
      "{{items}}"
      "\n"
      "Next step: schedule the coming interviews and hold the overdue ones first.\n" },
    { "en", "digest_item.reminder", "", "- {{employee_name}}: {{type}}, due by {{due_date}} ({{when}})\n" },
    { "en", "digest_item.overdue", "", "- {{employee_name}}: {{type}}, OVERDUE, was due {{due_date}} ({{when}})\n" },
    { "en", "digest_item.escalation", "",
      "- {{employee_name}}: {{type}}, ESCALATED, was due {{due_date}} ({{when}})\n" },
    { "en", "catchup", "Catch-up: {{count}} overdue interview(s) to arrange",
      "Hello {{recipient_name}},\n"
      "\n"
      "These interviews are already overdue and no reminder could go out in time\n"
      "(found overdue at installation or when the HR data arrived).\n"
      "They can still be held:\n"
      "\n"
      "{{items}}"
      "{{#total_penalty}}"
      "\n"
      "Exposure if nothing is done: {{total_penalty}} of CPF top-up.\n"
      "{{/total_penalty}}"
      "\n"
      "Next step: schedule them first, starting with those that expose the company\n"
      "to a top-up.\n" },
    { "en", "digest_item.catchup", "",
      "- {{employee_name}}: {{type}}, overdue since {{due_date}}{{#penalty}}, exposure {{penalty}}{{/penalty}}\n" },
    { NULL, NULL, NULL, NULL },
};
