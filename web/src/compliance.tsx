// "Conformité": the professional interview's recap (the six-year, now
// eight-year "état des lieux récapitulatif", L6315-1 II) per entity — the
// recap deadlines due, met, upcoming, overdue and lapsed (GET /statistics/
// completion?type=professional_recap&group_by=entity) beside the CPF
// top-ups owed and at risk with their € (GET /statistics/compliance?
// group_by=entity, the request Pilotage makes too): both leave with the
// script.  Each entity opens its people (/conformite/{entity}: GET /due of
// the recaps, each with the scheduler's rule and reason).  The table's CSV
// and the PDF for the social partners (GET /compliance/recap.pdf, rendered
// by the gateway) are the two exports.
import { useState } from 'preact/hooks';
import { Obligation } from './api';
import { fmtShort, lang, t } from './i18n';
import { Failure, NotAllowed, qs, refused, useGet } from './hr';
import { Col, Table, fmtEur, fmtNum } from './table';
import { State, personName } from './ui';
import { OneEntity, PILOT_COMPLIANCE, entityPath } from './pilotage';
import { link, personPath } from './people';

export const RECAP_TYPE = 'professional_recap';
export const RECAPS_PATH = `/statistics/completion?type=${RECAP_TYPE}&group_by=entity`;
export const COMPLIANCE_PATHS = [RECAPS_PATH, PILOT_COMPLIANCE];
export const recapPath = (e: string) => `/conformite/${encodeURIComponent(e)}`;
export const recapPdf = (entity?: string) => `/api/v1/compliance/recap.pdf${qs({ entity, lang: lang.get() })}`;

type Recaps = { group?: string; owed?: number; met?: number; upcoming?: number; overdue?: number; lapsed?: number };
type TopUps = { group?: string; at_risk?: number; exposure_eur?: number; owed_count?: number; owed_eur?: number };
export type RecapRow = Recaps & { entity: string; top_ups_owed?: number; top_ups_owed_eur?: number; top_ups_at_risk?: number; top_ups_at_risk_eur?: number };

// one row per entity: analytics' two answers side by side (an entity with
// top-ups and no recap deadline, or the other way round, still has its row)
export function recapRows(rec: Recaps[], top: TopUps[]): RecapRow[] {
  const rows = new Map<string, RecapRow>();
  const row = (e: string) => rows.get(e) || (rows.set(e, { entity: e }), rows.get(e)!);
  for (const r of rec) Object.assign(row(r.group || ''), { owed: r.owed, met: r.met, upcoming: r.upcoming, overdue: r.overdue, lapsed: r.lapsed });
  for (const x of top) Object.assign(row(x.group || ''), { top_ups_owed: x.owed_count, top_ups_owed_eur: x.owed_eur, top_ups_at_risk: x.at_risk, top_ups_at_risk_eur: x.exposure_eur });
  return [...rows.values()].sort((a, b) => a.entity.localeCompare(b.entity));
}

export function Compliance() {
  const rec = useGet<{ total?: Recaps; groups?: Recaps[] }>(RECAPS_PATH);
  const top = useGet<{ total?: TopUps; groups?: TopUps[]; today?: string }>(PILOT_COMPLIANCE);
  // HR granted some entities only: asked for one (as Pilotage does)
  const partial = [rec, top].some((x) => x.err?.status === 403 && x.err.field === 'entity');
  if ([rec, top].some((x) => refused(x.err)) && !partial) return <NotAllowed />;
  const rows = rec.data && top.data ? recapRows(rec.data.groups || [], top.data.groups || []) : [];
  const total = rec.data && top.data ? recapRows([{ ...(rec.data.total || {}), group: '' }], [{ ...(top.data.total || {}), group: '' }])[0] : undefined;
  const cols: Col<RecapRow>[] = [
    { key: 'entity', label: t('entity'), show: (r) => (r.entity ? link(recapPath(r.entity), r.entity) : <strong>{t('total')}</strong>) },
    { key: 'owed', label: t('recaps_due'), num: true },
    { key: 'met', label: t('held_met'), num: true },
    { key: 'upcoming', label: t('upcoming'), num: true },
    { key: 'overdue', label: t('late'), num: true },
    { key: 'lapsed', label: t('lapsed'), num: true },
    { key: 'top_ups_owed', label: t('owed_count'), num: true },
    { key: 'top_ups_owed_eur', label: t('owed_eur'), num: true, show: (r) => fmtEur(r.top_ups_owed_eur) },
    { key: 'top_ups_at_risk', label: t('at_risk'), num: true },
    { key: 'top_ups_at_risk_eur', label: t('exposure_eur'), num: true, show: (r) => fmtEur(r.top_ups_at_risk_eur) },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('compliance_title')}</h1>
      <p class="muted">{t('recap_help')}</p>
      {partial ? <OneEntity to={recapPath} /> : [rec.err, top.err].map((e) => e && <Failure e={e} />)}
      {!partial && (!rec.data || !top.data) && !rec.err && !top.err && <p>{t('loading')}</p>}
      {rec.data && top.data && (
        <>
          <p class="muted">{t('as_of')} {fmtShort(top.data.today)}</p>
          <ul class="kpis" aria-label={t('total')}>
            <li><span class="kpi" data-kpi="recaps_overdue">{fmtNum(total?.overdue || 0)}</span> <span aria-hidden="true">⚠ </span>{t('recaps_overdue')}</li>
            <li><span class="kpi" data-kpi="top_ups_owed_eur">{fmtEur(total?.top_ups_owed_eur)}</span> {t('owed_eur')}</li>
            <li><span class="kpi" data-kpi="top_ups_at_risk_eur">{fmtEur(total?.top_ups_at_risk_eur)}</span> {t('exposure_eur')}</li>
          </ul>
          <Table id="t-recap" caption={t('recap_by_entity')} cols={cols} rows={rows} foot={total} csv="etat-des-lieux-recapitulatif.csv" />
          <p><a id="recap-pdf" href={recapPdf()} download><span aria-hidden="true">⤓ </span>{t('recap_pdf')}</a></p>
          <p class="muted small">{t('counts_not_suppressed')}</p>
        </>
      )}
    </main>
  );
}

// a recap deadline is due at most eight years (and its window) ahead
const ahead = () => { const d = new Date(); d.setFullYear(d.getFullYear() + 9); return d.toISOString().slice(0, 10); };
export const recapDuePath = (entity: string, met: boolean) =>
  `/due${qs({ entity, type: RECAP_TYPE, from: '1970-01-01', to: ahead(), include_met: met, limit: 1000, lang: lang.get() })}`;

// The people behind an entity's figures: its recap deadlines (still to hold,
// and met ones when asked), each with the rule and the scheduler's reason.
// GET /due answers anyone what she may see (an employee her own deadlines):
// the page is HR's, so the role of GET /me decides (allowed), as Échéances.
export function RecapEntity({ entity, allowed }: { entity: string; allowed: boolean }) {
  const [met, setMet] = useState(false);
  const due = useGet<{ obligations?: Obligation[]; total?: number; next_cursor?: string }>(allowed ? recapDuePath(entity, met) : null);
  if (!allowed || refused(due.err)) return <NotAllowed />;
  const cols: Col<Obligation>[] = [
    { key: 'employee_id', label: t('employee'), show: (o) => <>{link(personPath(o.employee_id), personName(o))}<span class="muted block small">{o.employee_id}</span></> },
    { key: 'due_date', label: t('due_date'), show: (o) => fmtShort(o.due_date) },
    { key: 'status', label: t('status'), show: (o) => <State s={o.status} /> },
    { key: 'penalty_eur', label: t('penalty'), num: true, show: (o) => (o.penalty_eur ? fmtEur(o.penalty_eur) : '') },
    { key: 'rule', label: t('rule') },
    { key: 'reason', label: t('reason'), long: true, show: (o) => <span class="small">{o.reason}</span> },
  ];
  const list = due.data?.obligations || [];
  return (
    <main id="main" class="wide">
      <p>{link('/conformite', `← ${t('compliance_title')}`)}</p>
      <h1>{t('recaps_of')} {entity}</h1>
      <div class="toolbar">
        <label class="check"><input type="checkbox" id="f-met" checked={met} onChange={(e) => setMet((e.target as HTMLInputElement).checked)} />{t('recaps_with_met')}</label>
        <a id="recap-pdf" href={recapPdf(entity)} download><span aria-hidden="true">⤓ </span>{t('recap_pdf')}</a>
        {link(entityPath(entity), t('recap_topups_people'))}
      </div>
      {due.err && <Failure e={due.err} />}
      {!due.data && !due.err && <p>{t('loading')}</p>}
      {due.data && (
        <>
          <p class="muted"><span data-shown>{fmtNum(list.length)}</span> {t('shown')} · <span data-total>{fmtNum(due.data.total || 0)}</span> {t('matching')}</p>
          <Table id="t-recap-people" caption={`${t('recaps_of')} ${entity}`} cols={cols} rows={list} csv={`recapitulatifs-${entity}.csv`} />
        </>
      )}
    </main>
  );
}
