// A campaign from the HR console: creating one (/campagnes/nouvelle: a
// type, a window, a title and a population, whose people are previewed —
// POST /campaigns/preview, nothing stored — before HR confirms the
// creation) and one campaign's page (/campagnes/{id}: its window, scope and
// progress, the people it concerns with each one's status, and the late
// joiners: people hired after it opened, GET /campaigns/{id}/members).
import { useState } from 'preact/hooks';
import { ApiError, post } from './api';
import { ConfirmBox, OutcomeLine, useConfirm } from './confirm';
import { Key, TYPES, fmtShort, lang, quote, t, typeName } from './i18n';
import { Failure, NotAllowed, refused, useGet } from './hr';
import { go } from './state';
import { Col, Table, fmtNum, fmtPct } from './table';
import { State } from './ui';
import { Campaign, CampaignState } from './campaigns';
import { personPath } from './people';

export const NEW_CAMPAIGN = '/campagnes/nouvelle';
export const campaignPage = (id: string) => `/campagnes/${encodeURIComponent(id)}`;
const progressPath = (id: string, by: string) => `/campaigns/${encodeURIComponent(id)}/progress?group_by=${by}&list=true`;
export const campaignPaths = (id: string) => ({
  campaign: `/campaigns/${encodeURIComponent(id)}`,
  members: `/campaigns/${encodeURIComponent(id)}/members`,
  progress: progressPath(id, 'entity'),
});

export type Member = {
  employee_id: string; first_name?: string; last_name?: string; entity?: string; department?: string; site?: string;
  category?: string; manager_id?: string; hired_on?: string; status?: string; late?: boolean;
};
// records' counts of the campaign's interviews (GET /campaigns/{id}/progress)
type Counts = { group?: string; planned?: number; scheduled?: number; held?: number; closed?: number; cancelled?: number; total?: number };
type Item = { interview_id: string; employee_id: string; status: string; entity?: string; department?: string; manager_id?: string };
type Progress = { groups?: Counts[]; total?: Counts; interviews?: Item[]; truncated?: boolean };
const GROUPS = ['entity', 'department', 'manager'] as const;

type Members = { campaign_id?: string; total?: number; late?: number; members?: Member[]; truncated?: boolean };

const CATEGORIES = ['ouvrier_employe', 'maitrise_technicien', 'cadre'];
const catName = (c?: string) => (c ? t(`cat_${c}` as Key) || c : '');
const link = (to: string, text: any) => <a href={to} onClick={(e) => { e.preventDefault(); go(to); }}>{text}</a>;
const fullName = (m: Member) => [m.first_name, m.last_name].filter(Boolean).join(' ') || m.employee_id;

// the people of a population: the same columns in the preview and on the
// campaign's page (which adds the status and "late")
function memberCols(withStatus: boolean, ivs?: Map<string, Item>): Col<Member>[] {
  const cols: Col<Member>[] = [
    { key: 'employee_id', label: t('employee'), show: (m) => <>{link(personPath(m.employee_id), fullName(m))}<span class="muted block small">{m.employee_id}</span></> },
    { key: 'entity', label: t('entity') },
    { key: 'department', label: t('department') },
    { key: 'site', label: t('site') },
    { key: 'category', label: t('category'), show: (m) => catName(m.category) },
    { key: 'manager_id', label: t('manager_col') },
    { key: 'hired_on', label: t('hired_on'), show: (m) => fmtShort(m.hired_on) },
  ];
  if (withStatus) {
    cols.push({ key: 'status', label: t('status'), show: (m) => (m.status ? <State s={m.status} /> : '') });
    cols.push({ key: 'late', label: t('camp_late_col'), raw: (m) => (m.late ? 'true' : 'false'), show: (m) => (m.late ? t('yes') : t('no')) });
  }
  if (ivs) {
    // records' interview of each person: its state, a link to it
    cols.push({ key: 'interview_status', label: t('interview'), raw: (m) => ivs.get(m.employee_id)?.status,
      show: (m) => { const iv = ivs.get(m.employee_id); return iv ? link(`/interviews/${iv.interview_id}`, <State s={iv.status} />) : ''; } });
    cols.push({ key: 'interview_id', label: t('camp_iv_id'), raw: (m) => ivs.get(m.employee_id)?.interview_id,
      show: (m) => <span class="muted small">{ivs.get(m.employee_id)?.interview_id || ''}</span> });
  }
  return cols;
}

// a refusal in words, with the field it is about
function refusal(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 0) return t('network');
  if (e.status === 401 || e.status === 403) return t('camp_forbidden');
  return `${t('refused')}${t('colon')}${e.field ? `${e.field} — ` : ''}${e.detail || e.code}`;
}

type Form = {
  id: string; title: string; type: string; window_start: string; window_end: string;
  entity: string; department: string; site: string; category: string; hired_after: string; hired_before: string;
};
const EMPTY: Form = { id: '', title: '', type: 'annual_review', window_start: '', window_end: '', entity: '', department: '', site: '', category: '', hired_after: '', hired_before: '' };
// the API's Campaign: the fields given (an empty filter is "any")
const body = (f: Form) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));

export function NewCampaign({ allowed }: { allowed: boolean }) {
  const [f, setF] = useState<Form>(EMPTY);
  const [pv, setPv] = useState<{ form: Form; data: Members } | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const c = useConfirm();
  if (!allowed) return <NotAllowed />;
  // a change after the preview: the preview no longer says who is in
  const set = (k: keyof Form) => (e: Event) => { setF({ ...f, [k]: (e.target as HTMLInputElement).value }); setPv(null); c.setResult(null); };
  const preview = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const r = await post<Members>('/campaigns/preview', body(f));
      setPv({ form: f, data: r.body || {} });
    } catch (x) {
      setPv(null);
      setErr(x instanceof ApiError ? x : new ApiError(0, '', '', String(x)));
    } finally {
      setBusy(false);
    }
  };
  const create = () => pv && c.run(async () => {
    const r = await post<Campaign>('/campaigns', body(pv.form));
    const id = r.body?.id || pv.form.id;
    go(campaignPage(id));
    return `${t('camp_created')} ${quote(pv.form.title || id)} (${fmtNum(r.body?.eligible || 0)} ${t('people')}).`;
  }, refusal);
  const field = (k: keyof Form, label: string, type: 'text' | 'date' = 'text', extra: Record<string, any> = {}) => (
    <div>
      <label for={`f-new-${k}`}>{label}</label>
      <input id={`f-new-${k}`} {...({ type } as any)} value={f[k]} onInput={set(k)} aria-invalid={err?.field === k ? 'true' : undefined}
        aria-describedby={err?.field === k ? 'camp-new-error' : undefined} {...extra} />
    </div>
  );
  const n = pv?.data.total || 0;
  return (
    <main id="main" class="wide">
      <p>{link('/pilotage', <>← {t('pilotage')}</>)}</p>
      <h1>{t('camp_new')}</h1>
      <form class="card" id="camp-new" aria-labelledby="h-camp-new" onSubmit={preview}>
        <h2 id="h-camp-new">{t('camp_what')}</h2>
        <div class="grid2">
          {field('id', t('camp_id'), 'text', { required: true, maxLength: 64, pattern: '[A-Za-z0-9._\\-]+', autoComplete: 'off' })}
          {field('title', t('title'), 'text', { maxLength: 200 })}
          <div>
            <label for="f-new-type">{t('type')}</label>
            <select id="f-new-type" value={f.type} onChange={set('type')}>
              {TYPES.map((x) => <option value={x}>{typeName(x)}</option>)}
            </select>
          </div>
          <div />
          {field('window_start', t('camp_from'), 'date', { required: true })}
          {field('window_end', t('camp_to'), 'date', { required: true })}
        </div>
        <fieldset>
          <legend>{t('camp_population')} <span class="muted small">({t('camp_any_help')})</span></legend>
          <div class="grid2">
            {field('entity', t('entity'), 'text', { autoComplete: 'off' })}
            {field('department', t('department'), 'text', { autoComplete: 'off' })}
            {field('site', t('site'), 'text', { autoComplete: 'off' })}
            <div>
              <label for="f-new-category">{t('category')}</label>
              <select id="f-new-category" value={f.category} onChange={set('category')} aria-invalid={err?.field === 'category' ? 'true' : undefined}>
                <option value="">{t('camp_any')}</option>
                {CATEGORIES.map((x) => <option value={x}>{catName(x)}</option>)}
              </select>
            </div>
            {field('hired_after', t('camp_hired_after'), 'date')}
            {field('hired_before', t('camp_hired_before'), 'date')}
          </div>
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>{t('camp_preview')}</button>
        {err && <p class="error" role="alert" id="camp-new-error"><span aria-hidden="true">⛔ </span>{refusal(err)}</p>}
      </form>
      {pv && (
        <section aria-labelledby="h-camp-pop">
          <h2 id="h-camp-pop">{t('camp_population')}</h2>
          <p id="camp-count" role="status"><strong>{fmtNum(n)}</strong> {t('camp_in')}{pv.data.truncated ? ` (${t('truncated')})` : ''}</p>
          <Table id="t-preview" caption={t('camp_who')} cols={memberCols(false)} rows={pv.data.members || []} csv={`population-${pv.form.id || 'campagne'}.csv`} />
          <form class="card" id="camp-create" onSubmit={c.ask}>
            {!c.asking && <button type="submit" class="primary" ref={c.submitRef} disabled={!pv.form.id}>{t('camp_create')}…</button>}
            {c.asking && (
              <ConfirmBox c={c} id="camp-create-q" onConfirm={create}>
                {t('camp_q_create')} {quote(pv.form.title ? `${pv.form.title} (${pv.form.id})` : pv.form.id)} {t('camp_for')} {fmtNum(n)} {t('people')}{lang.get() === 'en' ? '?' : ' ?'}
              </ConfirmBox>
            )}
            <OutcomeLine id="camp-create-result" result={c.result} />
          </form>
        </section>
      )}
    </main>
  );
}

type Reminded = { late?: number; sent?: number; already?: number; on?: string };

// "Relancer les retardataires": the notifier reminds now everyone whose
// interview is still to hold, and their interviewers (once a day each);
// asked first, the answer said in numbers
function Remind({ id, toHold }: { id: string; toHold: number }) {
  const c = useConfirm();
  const send = () => c.run(async () => {
    const r = (await post<Reminded>(`/campaigns/${encodeURIComponent(id)}/remind`, {})).body || {};
    return t('camp_reminded').replace('{sent}', fmtNum(r.sent || 0)).replace('{late}', fmtNum(r.late || 0))
      .replace('{already}', fmtNum(r.already || 0));
  }, refusal);
  return (
    <form class="card" id="camp-remind" aria-labelledby="h-camp-remind" onSubmit={c.ask}>
      <h2 id="h-camp-remind">{t('camp_remind_title')}</h2>
      <p class="muted small">{t('camp_remind_help')}</p>
      {!c.asking && <button type="submit" class="primary" ref={c.submitRef}>{t('camp_remind')}…</button>}
      {c.asking && (
        <ConfirmBox c={c} id="camp-remind-q" onConfirm={send}>
          {t('camp_q_remind').replace('{n}', fmtNum(toHold))}
        </ConfirmBox>
      )}
      <OutcomeLine id="camp-remind-result" result={c.result} />
    </form>
  );
}

export function CampaignPage({ id }: { id: string }) {
  const p = campaignPaths(id);
  const camp = useGet<{ campaigns: Campaign[] }>(p.campaign);
  const mem = useGet<Members>(p.members);
  const [by, setBy] = useState<typeof GROUPS[number]>('entity');
  const prog = useGet<Progress>(by === 'entity' ? p.progress : progressPath(id, by));
  if (refused(camp.err) || refused(mem.err)) return <NotAllowed />;
  const ivs = new Map((prog.data?.interviews || []).map((i) => [i.employee_id, i]));
  const n = (x?: number) => x || 0;
  const progCols: Col<Counts>[] = [
    { key: 'group', label: t(`camp_by_${by}` as Key), raw: (g) => g.group || '',
      show: (g) => (g === prog.data?.total ? <strong>{t('total')}</strong> : g.group || t('camp_none_group')) },
    { key: 'planned', label: t('camp_planned'), num: true },
    { key: 'scheduled', label: t('camp_scheduled'), num: true },
    { key: 'held', label: t('camp_held'), num: true },
    { key: 'closed', label: t('camp_signed'), num: true },
    { key: 'cancelled', label: t('cancelled'), num: true },
    { key: 'total', label: t('total'), num: true },
    { key: 'signed_rate', label: t('camp_signed_rate'), num: true,
      raw: (g) => { const owed = n(g.total) - n(g.cancelled); return owed ? Math.round((1000 * n(g.closed)) / owed) / 1000 : 0; },
      show: (g) => { const owed = n(g.total) - n(g.cancelled); return fmtPct(owed ? n(g.closed) / owed : 0); } },
  ];
  const c = camp.data?.campaigns?.[0];
  const members = mem.data?.members || [];
  const late = members.filter((m) => m.late);
  const scope = c ? [c.entity, c.department, c.site, catName(c.category),
    c.hired_after ? `${t('camp_hired_after')} ${fmtShort(c.hired_after)}` : '',
    c.hired_before ? `${t('camp_hired_before')} ${fmtShort(c.hired_before)}` : ''].filter(Boolean).join(' · ') || t('everyone') : '';
  return (
    <main id="main" class="wide">
      <p>{link('/pilotage', <>← {t('pilotage')}</>)}</p>
      <h1>{t('campaign')} {c ? quote(c.title || c.id) : id}</h1>
      {camp.err && <Failure e={camp.err} />}
      {!camp.data && !camp.err && <p>{t('loading')}</p>}
      {c && (
        <section class="card" aria-labelledby="h-camp-about">
          <h2 id="h-camp-about">{typeName(c.type || 'annual_review')} <CampaignState s={c.state} /></h2>
          <p>{t('camp_window')}{t('colon')}{fmtShort(c.window_start)} → {fmtShort(c.window_end)} · {t('scope')}{t('colon')}<span id="camp-scope">{scope}</span></p>
          <ul class="kpis" aria-label={t('progress')}>
            <li><span class="kpi" data-kpi="eligible">{fmtNum(c.eligible || 0)}</span> {t('eligible')}</li>
            <li><span class="kpi" data-kpi="met">{fmtNum(c.met || 0)}</span> <span aria-hidden="true">✔ </span>{t('held_met')}</li>
            <li><span class="kpi" data-kpi="upcoming">{fmtNum(c.upcoming || 0)}</span> <span aria-hidden="true">◷ </span>{t('upcoming')}</li>
            <li><span class="kpi" data-kpi="overdue">{fmtNum(c.overdue || 0)}</span> <span aria-hidden="true">⚠ </span>{t('late')}</li>
            <li><span class="kpi" data-kpi="late">{fmtNum(mem.data?.late || 0)}</span> {t('camp_late_joiners')}</li>
          </ul>
        </section>
      )}
      <section aria-labelledby="h-camp-progress">
        <h2 id="h-camp-progress">{t('camp_progress')}</h2>
        <div class="toolbar">
          <label for="f-camp-by">{t('camp_group_by')}</label>
          <select id="f-camp-by" value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as typeof GROUPS[number])}>
            {GROUPS.map((g) => <option value={g}>{t(`camp_by_${g}` as Key)}</option>)}
          </select>
        </div>
        {prog.err && <Failure e={prog.err} />}
        {!prog.data && !prog.err && <p>{t('loading')}</p>}
        {prog.data && <Table id="t-progress" caption={`${t('camp_progress')} — ${t(`camp_by_${by}` as Key)}`} cols={progCols}
          rows={prog.data.groups || []} foot={prog.data.total || {}} csv={`avancement-${id}-${by}.csv`} />}
        {prog.data && (!c?.state || c.state === 'open') && <Remind id={id} toHold={n(prog.data.total?.planned) + n(prog.data.total?.scheduled)} />}
      </section>
      {mem.err && <Failure e={mem.err} />}
      {mem.data && (
        <>
          <section aria-labelledby="h-camp-late">
            <h2 id="h-camp-late">{t('camp_late_joiners')}</h2>
            <p class="muted small">{t('camp_late_help')}</p>
            <Table id="t-late" caption={t('camp_late_joiners')} cols={memberCols(true, ivs)} rows={late} csv={`arrivees-${id}.csv`} />
          </section>
          <section aria-labelledby="h-camp-members">
            <h2 id="h-camp-members">{t('camp_who')}</h2>
            <p class="muted">{fmtNum(mem.data.total || 0)} {t('people')}{mem.data.truncated ? ` (${t('truncated')})` : ''}</p>
            <Table id="t-members" caption={t('camp_who')} cols={memberCols(true, ivs)} rows={members} csv={`personnes-${id}.csv`} />
          </section>
        </>
      )}
    </main>
  );
}
