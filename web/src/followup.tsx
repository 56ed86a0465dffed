// Résultats' follow-up parts, "as of today" (analytics ignores the period
// for them): the managers' late items (GET /statistics/managers: per
// manager, deadlines of their reports overdue and upcoming, interviews
// waiting for their signature or the employee's) and the disengagement
// signals (GET /statistics/signals, HR and administrators only: counts by
// kind and the people flagged with the reason).  Each a small chart of the
// figures of the table under it, and the table's CSV.  Both requests leave
// with the script (main.tsx).
import { fmtShort, t } from './i18n';
import { Part, useGet } from './hr';
import { Col, Table, fmtNum } from './table';
import { link, personPath } from './people';

export const FOLLOWUP = { managers: '/statistics/managers?limit=500', signals: '/statistics/signals?limit=1000' };

type Manager = { manager_id?: string; overdue?: number; upcoming?: number; awaiting_signature?: number; awaiting_employee_signature?: number };
type Signal = { kind?: string; reason?: string; since?: string };
type Flagged = { employee_id: string; entity?: string; department?: string; manager_id?: string; signals?: Signal[] };
type Signals = { employees?: number; low_engagement?: number; wish_to_leave?: number; no_interview?: number; repeated_overdue?: number; flagged?: Flagged[]; truncated?: boolean; stale_months?: number };
export const SIGNAL_KINDS = ['low_engagement', 'wish_to_leave', 'no_interview', 'repeated_overdue'] as const;

// Horizontal bars, one per row (the figures are in the table under it):
// attributes only, the CSP allows no inline style.
function HBars({ rows, label, parts }: { rows: { name: string; v: number[] }[]; label: string; parts: string[] }) {
  if (!rows.length) return null;
  const max = Math.max(1, ...rows.map((r) => r.v.reduce((a, b) => a + b, 0)));
  const H = 10, W = 100;
  return (
    <figure class="chart">
      <svg class="hbars" viewBox={`0 0 ${W} ${rows.length * H}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        {rows.map((r, i) => {
          let x = 0;
          return <g>{r.v.map((v, k) => { const w = (v / max) * W; const el = <rect class={parts[k]} x={x} y={i * H + 1} width={w} height={H - 2} />; x += w; return el; })}</g>;
        })}
      </svg>
      <figcaption class="muted small">{label} ({t('chart_table')})</figcaption>
    </figure>
  );
}

export function ManagersLate() {
  const l = useGet<{ total?: Manager; managers?: Manager[]; truncated?: boolean }>(FOLLOWUP.managers);
  const cols: Col<Manager>[] = [
    { key: 'manager_id', label: t('manager_col'), show: (m) => (m.manager_id ? link(personPath(m.manager_id), m.manager_id) : <strong>{t('total')}</strong>) },
    { key: 'overdue', label: t('mgr_overdue'), num: true },
    { key: 'awaiting_signature', label: t('mgr_to_sign'), num: true },
    { key: 'awaiting_employee_signature', label: t('mgr_employee_to_sign'), num: true },
    { key: 'upcoming', label: t('upcoming'), num: true },
  ];
  return (
    <section aria-labelledby="h-managers">
      <h2 id="h-managers">{t('managers_late')}</h2>
      <Part l={l}>{(d) => {
        const late = (d.managers || []).filter((m) => (m.overdue || 0) + (m.awaiting_signature || 0) > 0);
        return <>
          <p class="muted small">{t('counts_not_suppressed')}</p>
          <HBars rows={late.slice(0, 20).map((m) => ({ name: m.manager_id || '', v: [m.overdue || 0, m.awaiting_signature || 0] }))}
            parts={['late', 'sign']} label={`${t('mgr_chart')} — ■ ${t('mgr_overdue')} · □ ${t('mgr_to_sign')}`} />
          <Table id="t-managers" caption={t('managers_late')} cols={cols} rows={d.managers || []} foot={{ ...(d.total || {}), manager_id: '' }} csv="retards-managers.csv" />
          {d.truncated && <p class="muted small">{t('truncated')}</p>}
        </>;
      }}</Part>
    </section>
  );
}

export function SignalsPart() {
  const l = useGet<Signals>(FOLLOWUP.signals);
  const kcols: Col<{ kind: string; count: number }>[] = [
    { key: 'kind', label: t('signal'), show: (r) => t(`sig_${r.kind}` as any) },
    { key: 'count', label: t('people_n'), num: true },
  ];
  const fcols: Col<Flagged>[] = [
    { key: 'employee_id', label: t('employee'), show: (f) => link(personPath(f.employee_id), f.employee_id) },
    { key: 'entity', label: t('entity') },
    { key: 'manager_id', label: t('manager_col') },
    { key: 'signals', label: t('signal'), raw: (f) => (f.signals || []).map((s) => s.kind).join(' '),
      show: (f) => (f.signals || []).map((s) => t(`sig_${s.kind}` as any)).join(', ') },
    { key: 'reasons', label: t('reason'), long: true, raw: (f) => (f.signals || []).map((s) => s.reason).join(' | '),
      show: (f) => <span class="small">{(f.signals || []).map((s) => <span class="block">{s.reason}{s.since ? ` (${fmtShort(s.since)})` : ''}</span>)}</span> },
  ];
  return (
    <section aria-labelledby="h-signals">
      <h2 id="h-signals">{t('signals')}</h2>
      <p class="muted small">{t('signals_rule')}</p>
      <Part l={l}>{(d) => {
        const counts = SIGNAL_KINDS.map((k) => ({ kind: k, count: d[k] || 0 }));
        return <>
          <p class="muted">{t('employees')}{t('colon')}<span data-signals-employees>{fmtNum(d.employees || 0)}</span></p>
          <HBars rows={counts.map((c) => ({ name: c.kind, v: [c.count] }))} parts={['late']} label={t('signals_chart')} />
          <Table id="t-signal-counts" caption={t('signals_by_kind')} cols={kcols} rows={counts} csv="signaux.csv" />
          <Table id="t-signals" caption={t('signals_people')} cols={fcols} rows={d.flagged || []} csv="signaux-personnes.csv" />
          {d.truncated && <p class="muted small">{t('truncated')}</p>}
        </>;
      }}</Part>
    </section>
  );
}
