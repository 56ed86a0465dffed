// "Personnes": find an employee (GET /employees?q=, a part of the name or an
// id prefix, accents ignored, paged by next_after) and her whole picture on
// /personnes/{id}: her record (GET /employees/{id}), her deadlines with
// each one's rule and the scheduler's reason in the page's language
// (GET /obligations?employee_id=&lang=), her interviews (GET /interviews?
// employee_id=, each a link to its page) and the notifications about her
// (GET /notifications?employee_id=).  The four requests of a person's page
// leave together, with the script when the page is opened directly.
import { useState } from 'preact/hooks';
import { Obligation, Summary } from './api';
import { fmtShort, fmtWhen, lang, quote, t, typeName } from './i18n';
import { Failure, Load, NotAllowed, qs, refused, useGet, usePages } from './hr';
import { go } from './state';
import { Col, Table, fmtEur, fmtNum } from './table';
import { State } from './ui';

export type Employee = {
  employee_id: string; first_name?: string; last_name?: string; entity?: string; department?: string; site?: string;
  region?: string; manager_id?: string; email?: string; locale?: string; birth_date?: string; category?: string;
  contract?: string; contract_end?: string; trial_months?: number; forfait_jours?: boolean; position?: string;
  hired_on?: string; left_on?: string; trial_end?: string; employed?: boolean; last_interview_on?: string;
};
type Search = { employees?: Employee[]; next_after?: string };
type Notification = {
  id: string; kind?: string; role?: string; recipient_id?: string; status?: string; interview_type?: string;
  due_date?: string; fire_at_ms?: number; sent_at_ms?: number; late?: boolean; last_error?: string; attempts?: number;
  interview_id?: string; obligation_id?: string;
};

export const PEOPLE_LIMIT = 50;
export const peoplePath = (q: string, after?: string) => `/employees${qs({ q: q.trim(), limit: PEOPLE_LIMIT, after })}`;
export const personPath = (id: string) => `/personnes/${encodeURIComponent(id)}`;
// the person page's four requests (main.tsx starts them with the script)
export const personPaths = (id: string) => {
  const e = encodeURIComponent(id);
  return {
    employee: `/employees/${e}`,
    obligations: `/obligations${qs({ employee_id: id, lang: lang.get() })}`,
    interviews: `/interviews${qs({ employee_id: id, limit: 200 })}`,
    notifications: `/notifications${qs({ employee_id: id, limit: 200 })}`,
  };
};

const fullName = (e: { first_name?: string; last_name?: string }) => [e.first_name, e.last_name].filter(Boolean).join(' ');
// a link inside the application (no reload)
export const link = (to: string, text: string) => <a href={to} onClick={(e) => { e.preventDefault(); go(to); }}>{text}</a>;
const yesNo = (b?: boolean) => t(b ? 'yes' : 'no');

// GET /employees answers an employee or a manager too (herself, his
// reporting line): the page is HR's search, so it says "not allowed" to
// whoever GET /me does not call HR or administrator (as Échéances does).
export function People({ allowed }: { allowed: boolean }) {
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState('');
  const pages = usePages<Search, Employee>(allowed ? peoplePath(asked) : null, (a) => peoplePath(asked, a), (p) => p.employees, (p) => p.next_after);
  const first = pages.load;
  if (!allowed || refused(first.err)) return <NotAllowed />;
  const rows = pages.rows;
  const next = pages.next;
  const cols: Col<Employee>[] = [
    { key: 'name', label: t('name'), raw: (e) => fullName(e), show: (e) => link(personPath(e.employee_id), fullName(e) || e.employee_id) },
    { key: 'employee_id', label: t('employee_id') },
    { key: 'entity', label: t('entity') },
    { key: 'department', label: t('department') },
    { key: 'site', label: t('site') },
    { key: 'position', label: t('position') },
    { key: 'manager_id', label: t('manager_col'), show: (e) => (e.manager_id ? link(personPath(e.manager_id), e.manager_id) : '') },
    { key: 'hired_on', label: t('hired_on'), show: (e) => fmtShort(e.hired_on) },
    { key: 'employed', label: t('employed'), raw: (e) => !!e.employed, show: (e) => yesNo(e.employed) },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('people_title')}</h1>
      <form class="filters card" role="search" onSubmit={(e) => { e.preventDefault(); setAsked(q.trim()); }}>
        <label for="f-q">{t('search_label')}</label>
        <input id="f-q" type="search" value={q} maxLength={128} autoComplete="off" aria-describedby="f-q-help"
          onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <p id="f-q-help" class="muted small">{t('search_help')}</p>
        <button type="submit" class="primary">{t('search')}</button>
      </form>
      {first.err && <Failure e={first.err} />}
      {!first.data && !first.err && <p>{t('loading')}</p>}
      {first.data && (
        <>
          <p class="muted" role="status" data-found>{fmtNum(rows.length)} {t('people')}{asked ? ` — ${quote(asked)}` : ''}{next ? ` (${t('more_exist')})` : ''}</p>
          <Table id="t-search" caption={asked ? `${t('search_results')} ${quote(asked)}` : t('people_title')} cols={cols} rows={rows} csv="personnes.csv" />
          {next && <button type="button" id="more" onClick={pages.loadMore} disabled={pages.busy}>{t('more')}</button>}
          {pages.err && <Failure e={pages.err} />}
        </>
      )}
    </main>
  );
}

const KINDS: Record<string, [string, string]> = {
  reminder: ['Rappel', 'Reminder'], overdue: ['Retard', 'Overdue'], escalation: ['Escalade', 'Escalation'],
  invitation: ['Invitation', 'Invitation'], cancellation: ['Annulation', 'Cancellation'],
  sign_request: ['Demande de signature', 'Signature request'], signed: ['Signé', 'Signed'],
  digest: ['Récapitulatif', 'Digest'], catchup: ['Rattrapage', 'Catch-up'],
};
const NSTATES: Record<string, [string, string, string]> = {
  pending: ['◷', 'Prévue', 'Planned'], sending: ['→', 'En cours d’envoi', 'Sending'], sent: ['✔', 'Envoyée', 'Sent'],
  failed: ['⚠', 'Échec (nouvel essai)', 'Failed (will retry)'], dead: ['⛔', 'Abandonnée', 'Given up'],
  cancelled: ['✕', 'Annulée', 'Cancelled'], digested: ['≡', 'Dans un récapitulatif', 'In a digest'],
};
const en = () => (lang.get() === 'en' ? 1 : 0);
const kindName = (k?: string) => (k && KINDS[k] ? KINDS[k][en()] : k || '');
function NState({ s }: { s?: string }) {
  const x = (s && NSTATES[s]) || ['•', s || '', s || ''];
  return <span class={`state st-n-${s}`}><span aria-hidden="true">{x[0]} </span>{x[1 + en()]}</span>;
}

export function PersonPage({ id, allowed }: { id: string; allowed: boolean }) {
  const p = personPaths(id);
  const emp = useGet<{ employee?: Employee }>(allowed ? p.employee : null);
  const obs = useGet<{ obligations?: Obligation[] }>(allowed ? p.obligations : null);
  const ivs = useGet<{ interviews?: Summary[] }>(allowed ? p.interviews : null);
  const nts = useGet<{ notifications?: Notification[]; truncated?: boolean }>(allowed ? p.notifications : null);
  if (!allowed || refused(emp.err)) return <NotAllowed />;
  const e = emp.data?.employee;
  const attrs: [string, any][] = e ? [
    [t('employee_id'), e.employee_id], [t('entity'), e.entity], [t('department'), e.department], [t('site'), e.site],
    [t('region'), e.region], [t('position'), e.position], [t('category'), e.category],
    [t('manager_col'), e.manager_id ? link(personPath(e.manager_id), e.manager_id) : ''],
    [t('email'), e.email], [t('locale'), e.locale], [t('contract'), e.contract], [t('contract_end'), fmtShort(e.contract_end)],
    [t('hired_on'), fmtShort(e.hired_on)], [t('trial_end'), fmtShort(e.trial_end)], [t('left_on'), fmtShort(e.left_on)],
    [t('employed'), yesNo(e.employed)], [t('forfait_jours'), yesNo(e.forfait_jours)],
    [t('last_interview_on'), fmtShort(e.last_interview_on)],
  ] : [];
  const oCols: Col<Obligation>[] = [
    { key: 'due_date', label: t('due_date'), show: (o) => fmtShort(o.due_date) },
    { key: 'type', label: t('type'), show: (o) => typeName(o.type) },
    { key: 'status', label: t('status'), show: (o) => <State s={o.status} /> },
    { key: 'penalty_eur', label: t('penalty'), num: true, show: (o) => (o.penalty_eur ? fmtEur(o.penalty_eur) : '') },
    { key: 'rule', label: t('rule') },
    { key: 'reason', label: t('reason'), long: true },
  ];
  const iCols: Col<Summary>[] = [
    { key: 'id', label: t('interview'), show: (i) => link(`/interviews/${i.id}`, i.title || typeName(i.type)) },
    { key: 'type', label: t('type'), show: (i) => typeName(i.type) },
    { key: 'status', label: t('status'), show: (i) => <State s={i.status} /> },
    { key: 'due_date', label: t('due_date'), show: (i) => fmtShort(i.due_date) },
    { key: 'scheduled_start_ms', label: t('scheduled_for'), show: (i) => fmtWhen(i.scheduled_start_ms) },
    { key: 'held_on', label: t('held_on'), show: (i) => fmtShort(i.held_on) },
    { key: 'manager_id', label: t('manager_col') },
  ];
  const nCols: Col<Notification>[] = [
    { key: 'fire_at_ms', label: t('when'), raw: (n) => (n.fire_at_ms ? new Date(n.fire_at_ms).toISOString() : ''), show: (n) => fmtWhen(n.fire_at_ms) },
    { key: 'kind', label: t('kind_n'), show: (n) => kindName(n.kind) },
    { key: 'status', label: t('status'), show: (n) => <NState s={n.status} /> },
    { key: 'recipient_id', label: t('recipient'), show: (n) => `${n.recipient_id || ''}${n.role ? ` (${n.role})` : ''}` },
    { key: 'interview_type', label: t('type'), show: (n) => (n.interview_type ? typeName(n.interview_type) : '') },
    { key: 'due_date', label: t('due_date'), show: (n) => fmtShort(n.due_date) },
    { key: 'last_error', label: t('last_error'), long: true },
  ];
  return (
    <main id="main" class="wide">
      <p>{link('/personnes', `← ${t('people_title')}`)}</p>
      <h1>{e ? fullName(e) || e.employee_id : id}</h1>
      <Part id="attrs" title={t('attributes')} load={emp}>
        {e && <dl class="attrs">{attrs.map(([k, v]) => <><dt>{k}</dt><dd>{v || '—'}</dd></>)}</dl>}
      </Part>
      <Part id="obligations" title={t('obligations')} load={obs}>
        <Table id="t-obligations" caption={t('obligations_caption')} cols={oCols} rows={obs.data?.obligations || []} csv={`echeances-${id}.csv`} />
      </Part>
      <Part id="interviews" title={t('interviews')} load={ivs}>
        <Table id="t-interviews" caption={t('interviews_of')} cols={iCols} rows={ivs.data?.interviews || []} csv={`entretiens-${id}.csv`} />
      </Part>
      <Part id="notifications" title={t('notifications')} load={nts}>
        <Table id="t-notifications" caption={t('notifications_about')} cols={nCols} rows={nts.data?.notifications || []} csv={`notifications-${id}.csv`} />
        {nts.data?.truncated && <p class="muted">{t('truncated')}</p>}
      </Part>
    </main>
  );
}

// one part of the person's page: its heading, then its problem, "loading" or
// its content (shown once its answer came)
function Part({ id, title, load, children }: { id: string; title: string; load: Load<unknown>; children: any }) {
  return (
    <section aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{title}</h2>
      {load.err && <Failure e={load.err} />}
      {!load.data && !load.err && <p>{t('loading')}</p>}
      {load.data && children}
    </section>
  );
}
