// Small pieces every page uses: a state as icon + word, where the meeting
// is, a problem said in words, the PDF link of a written report.
import { ApiError, Summary } from './api';
import { stateOf, t } from './i18n';

export function State({ s }: { s: string }) {
  const [icon, word] = stateOf(s);
  return <span class={`state st-${s}`}><span aria-hidden="true">{icon} </span>{word}</span>;
}

export function Where({ s }: { s: Pick<Summary, 'place' | 'video_link'> }) {
  return (
    <>
      {s.place && <p>{t('place')}{t('colon')}{s.place}</p>}
      {s.video_link && /^https?:\/\//.test(s.video_link) && <p><a href={s.video_link} rel="noopener noreferrer" target="_blank">{t('video_join')}</a></p>}
    </>
  );
}

export function Problem({ e }: { e: ApiError }) {
  const text = e.status === 0 ? t('network') : e.status === 404 || e.status === 403 ? t('not_found') : `${t('error')} ${e.status}: ${e.detail}`;
  return <p class="error" role="alert"><span aria-hidden="true">⚠ </span>{text}</p>;
}

export const whoName = (id: string | undefined, names: Map<string, string>) => (id ? names.get(id) || `${t('manager')} (${id})` : t('manager'));

const WRITTEN = ['reported', 'signed_employee', 'signed_manager', 'closed'];
// The PDF of the report (another part of the gateway renders it).
export const pdfUrl = (i: { id: string; status: string }) => (WRITTEN.includes(i.status) ? `/api/v1/interviews/${i.id}/report.pdf` : null);

export const personName = (i: { first_name?: string; last_name?: string; employee_id: string }) =>
  [i.first_name, i.last_name].filter(Boolean).join(' ') || i.employee_id;
