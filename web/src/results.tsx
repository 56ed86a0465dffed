// "Résultats": completion over time (GET /statistics/completion by month),
// the ratings' distribution, training needs and mobility wishes (the
// answers of closed interviews, GET /statistics/ratings|training|mobility),
// each as a table with its CSV; then the managers' late items and the
// signals (followup.tsx).  The four requests start together with the
// application; the answers' minimum-group rule is said where analytics
// applied it ("fewer than 5 answers": nothing published for that group or
// question).
import { useState } from 'preact/hooks';
import { monthName, t } from './i18n';
import { NotAllowed, Part, refused, useGet } from './hr';
import { Col, Table, fmtNum, fmtPct } from './table';
import { ManagersLate, SignalsPart } from './followup';

// The period, in whole months (analytics ignores the day): by default the
// last 24 months and the next 12 (completion counts deadlines by the month
// they are due; answers by the month the interview was held).
type Period = { from: string; to: string };
const ym = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
const shift = (months: number) => { const d = new Date(); d.setDate(1); d.setMonth(d.getMonth() + months); return ym(d); };
const initial = (): Period => ({ from: shift(-23), to: shift(12) });
const q = (p: Period) => `from=${p.from}-01&to=${p.to}-01`;
export const resPaths = (p: Period = initial()) => ({
  completion: `/statistics/completion?group_by=month&${q(p)}`,
  ratings: `/statistics/ratings?${q(p)}`,
  training: `/statistics/training?${q(p)}`,
  mobility: `/statistics/mobility?${q(p)}`,
});

type Completion = { group?: string; owed?: number; met?: number; upcoming?: number; overdue?: number; lapsed?: number;
  interviews?: number; scheduled?: number; held?: number; fully_signed?: number; completion_rate?: number; signature_rate?: number };
type Rating = { topic?: string; question_id?: string; scale_min?: number; scale_max?: number; count?: number; mean?: number; histogram?: number[]; suppressed?: boolean };
type Training = { theme?: string; priority?: string; modality?: string; count?: number };
type Mobility = { kind?: string; horizon?: string; count?: number };
type Answers = { total?: { respondents?: number; suppressed?: boolean; ratings?: Rating[]; training?: Training[]; mobility?: Mobility[]; wish_to_leave?: number }; min_group?: number };

const month = (g?: string) => { if (!g || !/^\d{4}-\d{2}$/.test(g)) return g || ''; const [y, m] = g.split('-').map(Number); return monthName(y, m - 1); };
const hist = (r: Rating) => (r.histogram || []).map((c, i) => `${(r.scale_min || 0) + i}: ${c}`).join(' · ');

export function Results() {
  const [draft, setDraft] = useState<Period>(initial);
  const [period, setPeriod] = useState<Period>(draft);
  const paths = resPaths(period);
  const comp = useGet<{ total?: Completion; groups?: Completion[] }>(paths.completion);
  const rat = useGet<Answers>(paths.ratings);
  const tr = useGet<Answers>(paths.training);
  const mob = useGet<Answers>(paths.mobility);
  if ([comp, rat, tr, mob].some((x) => refused(x.err))) return <NotAllowed />;
  const ccols: Col<Completion>[] = [
    { key: 'month', label: t('month'), raw: (r) => r.group, show: (r) => (r.group ? month(r.group) : <strong>{t('total')}</strong>) },
    { key: 'owed', label: t('owed'), num: true },
    { key: 'met', label: t('held_met'), num: true },
    { key: 'upcoming', label: t('upcoming'), num: true },
    { key: 'overdue', label: t('late'), num: true },
    { key: 'interviews', label: t('interviews'), num: true },
    { key: 'held', label: t('held'), num: true },
    { key: 'fully_signed', label: t('signed'), num: true },
    { key: 'completion_rate', label: t('completion_rate'), num: true, show: (r) => fmtPct(r.completion_rate) },
  ];
  const rcols: Col<Rating>[] = [
    { key: 'topic', label: t('topic') },
    { key: 'question_id', label: t('question') },
    { key: 'scale', label: t('scale'), raw: (r) => `${r.scale_min}-${r.scale_max}`, show: (r) => `${r.scale_min}–${r.scale_max}` },
    { key: 'count', label: t('answers'), num: true },
    { key: 'mean', label: t('mean'), num: true, raw: (r) => (r.suppressed ? '' : r.mean),
      show: (r) => (r.suppressed ? <Few n={rat.data?.min_group || 5} /> : (r.mean || 0).toLocaleString(undefined, { maximumFractionDigits: 2 })) },
    { key: 'histogram', label: t('distribution'), raw: (r) => (r.suppressed ? 'suppressed' : hist(r)), show: (r) => (r.suppressed ? '' : hist(r)) },
  ];
  const tcols: Col<Training>[] = [
    { key: 'theme', label: t('theme') },
    { key: 'priority', label: t('priority') },
    { key: 'modality', label: t('modality') },
    { key: 'count', label: t('needs'), num: true },
  ];
  const mcols: Col<Mobility>[] = [
    { key: 'kind', label: t('kind') },
    { key: 'horizon', label: t('horizon') },
    { key: 'count', label: t('wishes'), num: true },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('results')}</h1>
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); if (draft.from && draft.to) setPeriod(draft); }}>
        <fieldset>
          <legend>{t('period')}</legend>
          <div class="grid3">
            <div>
              <label for="p-from">{t('from')}</label>
              <input id="p-from" type="month" required value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
            </div>
            <div>
              <label for="p-to">{t('to')}</label>
              <input id="p-to" type="month" required value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
            </div>
          </div>
        </fieldset>
        <button type="submit" class="primary">{t('apply')}</button>
      </form>
      <section aria-labelledby="h-completion">
        <h2 id="h-completion">{t('completion_over_time')}</h2>
        <Part l={comp}>{(d) => <Bars rows={(d.groups || []).slice().sort((a, b) => (a.group || '').localeCompare(b.group || ''))} />}</Part>
        <Part l={comp}>{(d) => <Table id="t-completion" caption={t('completion_by_month')} cols={ccols}
          rows={(d.groups || []).slice().sort((a, b) => (a.group || '').localeCompare(b.group || ''))}
          foot={{ ...(d.total || {}), group: '' }} csv="realisation-par-mois.csv" />}</Part>
      </section>
      <section aria-labelledby="h-ratings">
        <h2 id="h-ratings">{t('ratings')}</h2>
        <Part l={rat}>{(d) => <Answered d={d}><Table id="t-ratings" caption={t('ratings')} cols={rcols} rows={d.total?.ratings || []} csv="notes.csv" /></Answered>}</Part>
      </section>
      <section aria-labelledby="h-training">
        <h2 id="h-training">{t('training_needs')}</h2>
        <Part l={tr}>{(d) => <Answered d={d}><Table id="t-training" caption={t('training_needs')} cols={tcols} rows={d.total?.training || []} csv="besoins-formation.csv" /></Answered>}</Part>
      </section>
      <section aria-labelledby="h-mobility">
        <h2 id="h-mobility">{t('mobility_wishes')}</h2>
        <Part l={mob}>{(d) => <Answered d={d}>
          <p>{t('wish_to_leave')}{t('colon')}<strong>{fmtNum(d.total?.wish_to_leave || 0)}</strong></p>
          <Table id="t-mobility" caption={t('mobility_wishes')} cols={mcols} rows={d.total?.mobility || []} csv="souhaits-mobilite.csv" />
        </Answered>}</Part>
      </section>
      <ManagersLate />
      <SignalsPart />
    </main>
  );
}

// A small chart of the same figures as the table below it (which is what
// screen readers and the CSV get): per month, the deadlines owed (light)
// and those met (dark).  Attributes only: the CSP allows no inline style.
function Bars({ rows }: { rows: Completion[] }) {
  if (!rows.length) return null;
  const max = Math.max(1, ...rows.map((r) => r.owed || 0));
  const W = 12, H = 80;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${rows.length * W} ${H}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        {rows.map((r, i) => {
          const ho = ((r.owed || 0) / max) * H, hm = ((r.met || 0) / max) * H;
          return <g><rect class="owed" x={i * W + 1} y={H - ho} width={W - 2} height={ho} /><rect class="met" x={i * W + 1} y={H - hm} width={W - 2} height={hm} /></g>;
        })}
      </svg>
      <figcaption class="muted small"><span class="key owed" aria-hidden="true" /> {t('owed')} · <span class="key met" aria-hidden="true" /> {t('held_met')} — {month(rows[0].group)} → {month(rows[rows.length - 1].group)} ({t('chart_table')})</figcaption>
    </figure>
  );
}

function Few({ n }: { n: number }) {
  return <span class="state"><span aria-hidden="true">∅ </span>{t('fewer_than').replace('{n}', String(n))}</span>;
}

// The respondents, and the minimum-group rule when analytics applied it to the whole selection.
function Answered({ d, children }: { d: Answers; children: any }) {
  const min = d.min_group || 5;
  return (
    <>
      <p class="muted">{t('respondents')}{t('colon')}<span data-respondents>{fmtNum(d.total?.respondents || 0)}</span> · {t('min_group_rule').replace('{n}', String(min))}</p>
      {d.total?.suppressed
        ? <p class="notice" data-suppressed><span aria-hidden="true">∅ </span>{t('suppressed_all').replace('{n}', String(min))}</p>
        : children}
    </>
  );
}
