// "Pilotage", the HR landing page: the legal exposure per entity
// (GET /statistics/compliance?group_by=entity, the first content), the
// campaigns with their progress (GET /campaigns, beside it), and the drill
// down to the people of one entity (/pilotage/{entity}: the compliance list
// with each deadline's rule and the scheduler's reason from GET /due).
import { useState } from 'preact/hooks';
import { ApiError, Obligation } from './api';
import { fmtShort, lang, t, typeName } from './i18n';
import { Failure, NotAllowed, qs, refused, useGet } from './hr';
import { go } from './state';
import { Col, Table, fmtEur, fmtNum, fmtPct } from './table';
import { State } from './ui';
import { Campaign, CampaignActions, CampaignState } from './campaigns';
import { personPath } from './people';
import { NEW_CAMPAIGN, campaignPage } from './campaign';

export const PILOT_COMPLIANCE = '/statistics/compliance?group_by=entity';
export const PILOT_CAMPAIGNS = '/campaigns';

type Figures = {
  group?: string; employees?: number; up_to_date?: number; due_soon?: number; overdue?: number; at_risk?: number;
  exposure_eur?: number; owed_count?: number; owed_eur?: number; overdue_deadlines?: number;
};
type Exposure = { entity: string; headcount?: number; declared_headcount?: number; declared?: boolean; subject?: boolean; headcount_differs?: boolean };
type Compliance = { total?: Figures; groups?: Figures[]; entities?: Exposure[]; today?: string; within_days?: number; employees?: Person[]; truncated?: boolean };
type Person = { employee_id: string; entity?: string; manager_id?: string; status: string; next_due?: string; next_type?: string; penalty_eur?: number };

export const entityPath = (e: string) => `/pilotage/${encodeURIComponent(e)}`;
const n = (x?: number) => x || 0;

export function Pilotage() {
  const comp = useGet<Compliance>(PILOT_COMPLIANCE);
  const camps = useGet<{ campaigns: Campaign[] }>(PILOT_CAMPAIGNS);
  // HR granted some entities only: analytics refuses the organisation's
  // figures (field "entity": a query must name one of them); the page asks
  // which entity rather than saying "not allowed"
  const partial = comp.err?.status === 403 && comp.err.field === 'entity';
  if (refused(comp.err) && !partial) return <NotAllowed />;
  const c = comp.data;
  const byEntity = new Map((c?.entities || []).map((e) => [e.entity, e]));
  const cols: Col<Figures>[] = [
    { key: 'entity', label: t('entity'), raw: (r) => r.group,
      show: (r) => (r.group ? <a href={entityPath(r.group)} onClick={(e) => { e.preventDefault(); go(entityPath(r.group!)); }}>{r.group}</a> : <strong>{t('total')}</strong>) },
    { key: 'employees', label: t('employees'), num: true },
    { key: 'up_to_date', label: t('up_to_date'), num: true },
    { key: 'due_soon', label: t('due_soon'), num: true },
    { key: 'overdue', label: t('overdue_people'), num: true },
    { key: 'at_risk', label: t('at_risk'), num: true },
    { key: 'exposure_eur', label: t('exposure_eur'), num: true, show: (r) => fmtEur(r.exposure_eur) },
    { key: 'owed_count', label: t('owed_count'), num: true },
    { key: 'owed_eur', label: t('owed_eur'), num: true, show: (r) => fmtEur(r.owed_eur) },
    { key: 'headcount_note', label: t('headcount'), raw: (r) => (r.group ? byEntity.get(r.group)?.declared_headcount ?? '' : ''),
      show: (r) => {
        const x = r.group ? byEntity.get(r.group) : undefined;
        if (!x) return '';
        return <>{fmtNum(x.declared ? x.declared_headcount : x.headcount)}{x.headcount_differs && <span class="muted block small"><span aria-hidden="true">⚠ </span>{fmtNum(x.headcount)} {t('headcount_differs')}</span>}</>;
      } },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('pilotage')}</h1>
      <section aria-labelledby="h-exposure">
        <h2 id="h-exposure">{t('exposure')}</h2>
        {partial ? <OneEntity to={entityPath} /> : comp.err && <Failure e={comp.err} />}
        {!c && !comp.err && <p>{t('loading')}</p>}
        {c && (
          <>
            <p class="muted">{t('as_of')} {fmtShort(c.today)} · {t('due_soon_is')} {c.within_days || 90} {t('days')}</p>
            <ul class="kpis" aria-label={t('total')}>
              <li><span class="kpi" data-kpi="overdue">{fmtNum(n(c.total?.overdue))}</span> <span aria-hidden="true">⚠ </span>{t('overdue_people')}</li>
              <li><span class="kpi" data-kpi="due_soon">{fmtNum(n(c.total?.due_soon))}</span> <span aria-hidden="true">◷ </span>{t('due_soon')}</li>
              <li><span class="kpi" data-kpi="owed_eur">{fmtEur(c.total?.owed_eur)}</span> {t('owed_eur')}</li>
              <li><span class="kpi" data-kpi="exposure_eur">{fmtEur(c.total?.exposure_eur)}</span> {t('exposure_eur')}</li>
            </ul>
            <Table id="t-exposure" caption={t('exposure_by_entity')} cols={cols} rows={c.groups || []}
              foot={{ ...(c.total || {}), group: '' }} csv="exposition-entites.csv" />
            <p class="muted small">{t('counts_not_suppressed')}</p>
          </>
        )}
      </section>
      <section aria-labelledby="h-campaigns">
        <div class="toolbar">
          <h2 id="h-campaigns">{t('campaigns')}</h2>
          <a class="button" id="camp-new-link" href={NEW_CAMPAIGN} onClick={(e) => { e.preventDefault(); go(NEW_CAMPAIGN); }}>{t('camp_new_link')}</a>
        </div>
        {camps.err && <Failure e={camps.err} />}
        {!camps.data && !camps.err && <p>{t('loading')}</p>}
        {camps.data && <Campaigns list={camps.data.campaigns || []} />}
      </section>
    </main>
  );
}

// HR granted some entities only: which one to open (to: the page of an entity)
export function OneEntity({ to }: { to: (entity: string) => string }) {
  const [e, setE] = useState('');
  return (
    <form class="card" onSubmit={(ev) => { ev.preventDefault(); if (e.trim()) go(to(e.trim())); }}>
      <p id="partial-help">{t('partial_grant')}</p>
      <label for="f-entity-open">{t('entity')}</label>
      <input id="f-entity-open" value={e} required aria-describedby="partial-help" autoComplete="off"
        onInput={(ev) => setE((ev.target as HTMLInputElement).value)} />
      <button type="submit" class="primary">{t('open')}</button>
    </form>
  );
}

// the open campaigns when the page was read; one HR closes or cancels stays
// in the table with its new state until the page is read again
function Campaigns({ list }: { list: Campaign[] }) {
  const [rows, setRows] = useState(() => list.filter((c) => !c.state || c.state === 'open'));
  const changed = (c: Campaign) => setRows((rs) => rs.map((r) => (r.id === c.id ? { ...r, ...c } : r)));
  const cols: Col<Campaign>[] = [
    { key: 'id', label: t('campaign'), show: (c) => <><a href={campaignPage(c.id)} onClick={(e) => { e.preventDefault(); go(campaignPage(c.id)); }}>{c.title || c.id}</a><span class="muted block small">{c.id}</span></> },
    { key: 'type', label: t('type'), show: (c) => typeName(c.type || 'annual_review') },
    { key: 'scope', label: t('scope'), raw: (c) => [c.entity, c.department, c.site, c.category].filter(Boolean).join(' / '),
      show: (c) => [c.entity, c.department, c.site, c.category].filter(Boolean).join(' / ') || t('everyone') },
    { key: 'window_end', label: t('due_date'), show: (c) => fmtShort(c.window_end) },
    { key: 'state', label: t('status'), raw: (c) => c.state || 'open', show: (c) => <CampaignState s={c.state} /> },
    { key: 'eligible', label: t('eligible'), num: true },
    { key: 'met', label: t('held_met'), num: true },
    { key: 'upcoming', label: t('upcoming'), num: true },
    { key: 'overdue', label: t('late'), num: true },
    { key: 'cancelled', label: t('cancelled'), num: true },
    { key: 'progress', label: t('progress'), num: true, raw: (c) => ratio(c),
      show: (c) => <><progress max={1} value={ratio(c)} aria-hidden="true" /> {fmtPct(ratio(c))}</> },
  ];
  return (
    <>
      <Table id="t-campaigns" caption={t('campaigns_open')} cols={cols} rows={rows} csv="campagnes.csv" />
      <CampaignActions list={rows} onChanged={changed} />
    </>
  );
}
// done over owed: met / (met + upcoming + overdue), the scheduler's counts
const ratio = (c: Campaign) => { const owed = n(c.met) + n(c.upcoming) + n(c.overdue); return owed ? n(c.met) / owed : 0; };

const STATUSES = ['', 'overdue', 'due_soon', 'at_risk', 'owed'];

export function EntityPage({ entity }: { entity: string }) {
  const [status, onStatus] = useState('');
  const list = useGet<Compliance>(`/statistics/compliance${qs({ entity, list: true, status, limit: 1000 })}`);
  const people = list.data?.employees || [];
  // the deadlines of these people, with the scheduler's rule and reason, up to the last one listed
  const last = people.reduce((m, p) => (p.next_due && p.next_due > m ? p.next_due : m), '');
  const due = useGet<{ obligations: Obligation[] }>(list.data && last
    ? `/due${qs({ entity, from: '1970-01-01', to: last, limit: 1000, lang: lang.get() })}` : null);
  if (refused(list.err)) return <NotAllowed />;
  const key = (id: string, type?: string, d?: string) => `${id}|${type}|${d}`;
  const obs = new Map<string, Obligation>();
  for (const o of due.data?.obligations || []) obs.set(key(o.employee_id, o.type, o.due_date), o);
  const ob = (p: Person) => obs.get(key(p.employee_id, p.next_type, p.next_due));
  const cols: Col<Person>[] = [
    { key: 'employee_id', label: t('employee'), show: (p) => { const o = ob(p); return <><a href={personPath(p.employee_id)} onClick={(e) => { e.preventDefault(); go(personPath(p.employee_id)); }}>{(o && [o.first_name, o.last_name].filter(Boolean).join(' ')) || p.employee_id}</a><span class="muted block small">{p.employee_id}</span></>; } },
    { key: 'status', label: t('status'), show: (p) => <State s={p.status} /> },
    { key: 'next_type', label: t('type'), show: (p) => typeName(p.next_type || '') },
    { key: 'next_due', label: t('due_date'), show: (p) => fmtShort(p.next_due) },
    { key: 'penalty_eur', label: t('penalty'), num: true, show: (p) => (p.penalty_eur ? fmtEur(p.penalty_eur) : '') },
    { key: 'rule', label: t('rule'), raw: (p) => ob(p)?.rule, show: (p) => ob(p)?.rule || '' },
    { key: 'reason', label: t('reason'), long: true, raw: (p) => ob(p)?.reason, show: (p) => ob(p)?.reason || (due.data ? '' : t('loading')) },
  ];
  return (
    <main id="main" class="wide">
      <p><a href="/pilotage" onClick={(e) => { e.preventDefault(); go('/pilotage'); }}>← {t('pilotage')}</a></p>
      <h1>{t('entity')} {entity}</h1>
      <div class="toolbar">
        <label for="f-status">{t('show')}</label>
        <select id="f-status" value={status} onChange={(e) => onStatus((e.target as HTMLSelectElement).value)}>
          {STATUSES.map((s) => <option value={s}>{t(s ? (`st_${s}` as any) : 'st_default')}</option>)}
        </select>
      </div>
      {list.err && <Failure e={list.err as ApiError} />}
      {!list.data && !list.err && <p>{t('loading')}</p>}
      {list.data && (
        <>
          <p class="muted">{fmtNum(people.length)} {t('people')}{list.data.truncated ? ` (${t('truncated')})` : ''}</p>
          <Table id="t-people" caption={`${t('people_of')} ${entity}`} cols={cols} rows={people} csv={`conformite-${entity}.csv`} />
          {due.err && <Failure e={due.err} />}
        </>
      )}
    </main>
  );
}
