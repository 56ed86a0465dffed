// "Mon équipe": what is late, what waits for a signature, my team's
// interviews as a list (actionable only, a switch for history) and as a
// month calendar; schedule or reschedule in place.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Summary, take } from './api';
import { fmtDay, fmtShort, fmtWhen, lang, monthName, stateOf, t, typeName } from './i18n';
import { ScheduleForm } from './schedule';
import { go } from './state';
import { Problem, State, personName } from './ui';

export const TEAM_PATH = '/me/team?limit=1000';
const CLOSED = ['closed', 'cancelled'];
const SCHEDULABLE = ['planned', 'scheduled', 'preparation', 'shared'];
const today = () => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
const isLate = (i: Summary) => !CLOSED.includes(i.status) && !!i.due_date && i.due_date < today() && ['planned', 'scheduled', 'preparation', 'shared'].includes(i.status);

export function Team() {
  const [ivs, setIvs] = useState<Summary[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [history, setHistory] = useState(false);
  const [view, setView] = useState<'list' | 'calendar'>('list');
  const [editing, setEditing] = useState('');
  useEffect(() => { take<{ interviews: Summary[] }>(TEAM_PATH).then((r) => setIvs(r.body.interviews || []), setErr); }, []);
  const shown = (ivs || []).filter((i) => history || !CLOSED.includes(i.status))
    .sort((a, b) => (a.due_date || '').localeCompare(b.due_date || ''));
  const late = (ivs || []).filter(isLate);
  const toSign = (ivs || []).filter((i) => ['reported', 'signed_employee'].includes(i.status));
  const update = (id: string, v: any) => {
    setIvs((ivs || []).map((i) => (i.id === id ? { ...i, status: v.interview.status, scheduled_start_ms: v.interview.scheduled_start_ms, duration_min: v.interview.duration_min, place: v.interview.place, video_link: v.interview.video_link } : i)));
    setEditing('');
  };
  const link = (i: Summary) => (
    <a href={`/interviews/${i.id}`} onClick={(e) => { e.preventDefault(); go(`/interviews/${i.id}`); }}>{personName(i)}</a>
  );
  return (
    <main id="main">
      <h1>{t('team')}</h1>
      {err && <Problem e={err} />}
      {!ivs && !err && <p>{t('loading')}</p>}
      {ivs && late.length > 0 && (
        <section aria-labelledby="h-late" class="card warn">
          <h2 id="h-late"><span aria-hidden="true">⚠ </span>{t('late_items')} ({late.length})</h2>
          <ul class="compact">{late.slice(0, 10).map((i) => <li key={i.id}>{link(i)} — {typeName(i.type)}, {t('due')} {fmtShort(i.due_date)}</li>)}</ul>
        </section>
      )}
      {ivs && toSign.length > 0 && (
        <section aria-labelledby="h-sign" class="card">
          <h2 id="h-sign"><span aria-hidden="true">✍ </span>{t('waiting_sign')} ({toSign.length})</h2>
          <ul class="compact">{toSign.map((i) => <li key={i.id}>{link(i)} — {typeName(i.type)}</li>)}</ul>
        </section>
      )}
      {ivs && (
        <div class="toolbar">
          <div role="group" aria-label={`${t('list')} / ${t('calendar')}`}>
            <button type="button" aria-pressed={view === 'list'} onClick={() => setView('list')}>{t('list')}</button>
            <button type="button" aria-pressed={view === 'calendar'} onClick={() => setView('calendar')}>{t('calendar')}</button>
          </div>
          <label class="check"><input type="checkbox" checked={history} onChange={(e) => setHistory((e.target as HTMLInputElement).checked)} /> {t('history')}</label>
        </div>
      )}
      {ivs && view === 'list' && (
        shown.length === 0 ? <p>{t('none')}</p> : (
          <ul class="rows">
            {shown.map((i) => (
              <li key={i.id} class="row wrap">
                <span class="grow">
                  {link(i)} <span class="muted">— {typeName(i.type)}</span>
                  <span class="muted block">
                    {i.scheduled_start_ms ? fmtWhen(i.scheduled_start_ms) : t('not_scheduled')} · {t('due')} {fmtShort(i.due_date)}
                    {i.place ? ` · ${i.place}` : ''}
                  </span>
                </span>
                {isLate(i) && <span class="state st-overdue"><span aria-hidden="true">⚠ </span>{t('late')}</span>}
                <State s={i.status} />
                {SCHEDULABLE.includes(i.status) && editing !== i.id && (
                  <button type="button" class="primary" onClick={() => setEditing(i.id)}
                    aria-label={`${i.scheduled_start_ms ? t('reschedule') : t('schedule')} — ${personName(i)}`}>
                    {i.scheduled_start_ms ? t('reschedule') : t('schedule')}
                  </button>
                )}
                {editing === i.id && (
                  <div class="full">
                    <ScheduleForm id={i.id} start={i.scheduled_start_ms} duration={i.duration_min} place={i.place} video={i.video_link}
                      onDone={(v) => update(i.id, v)} onCancel={() => setEditing('')} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )
      )}
      {ivs && view === 'calendar' && <Month ivs={shown} />}
    </main>
  );
}

// Monday first, in the page's language ("lun." / "Mon")
const weekdays = () => Array.from({ length: 7 }, (_, i) =>
  new Date(2024, 0, 1 + i).toLocaleDateString(lang.get() === 'en' ? 'en-GB' : 'fr-FR', { weekday: 'short' }));

function Month({ ivs }: { ivs: Summary[] }) {
  const now = new Date();
  const [ym, setYm] = useState([now.getFullYear(), now.getMonth()]);
  const [y, m] = ym;
  const first = new Date(y, m, 1);
  const lead = (first.getDay() + 6) % 7; // weeks start on Monday
  const days = new Date(y, m + 1, 0).getDate();
  const key = (d: number) => `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const on = new Map<string, Summary[]>();
  for (const i of ivs) {
    let k = i.due_date || '';
    if (i.scheduled_start_ms) { const d = new Date(i.scheduled_start_ms); k = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; }
    if (!on.has(k)) on.set(k, []);
    on.get(k)!.push(i);
  }
  const cells = [];
  for (let i = 0; i < lead; i++) cells.push(<li class="day empty" aria-hidden="true" />);
  for (let d = 1; d <= days; d++) {
    const items = on.get(key(d)) || [];
    cells.push(
      <li class={`day${items.length ? ' busy' : ''}`}>
        <span class="num" aria-hidden="true">{d}</span><span class="sr">{fmtDay(key(d))}</span>
        {items.slice(0, 3).map((i) => (
          <a href={`/interviews/${i.id}`} class="ev" onClick={(e) => { e.preventDefault(); go(`/interviews/${i.id}`); }}>
            {i.scheduled_start_ms ? '◷ ' : '⚑ '}{personName(i)}
          </a>
        ))}
        {items.length > 3 && <span class="muted">+{items.length - 3}</span>}
      </li>,
    );
  }
  return (
    <section aria-labelledby="h-month" class="calendar">
      <div class="toolbar">
        <button type="button" aria-label={t('prev_month')} onClick={() => setYm(m === 0 ? [y - 1, 11] : [y, m - 1])}>‹</button>
        <h2 id="h-month">{monthName(y, m)}</h2>
        <button type="button" aria-label={t('next_month')} onClick={() => setYm(m === 11 ? [y + 1, 0] : [y, m + 1])}>›</button>
      </div>
      <p class="muted">◷ {stateOf('scheduled')[1]} · ⚑ {t('due')}</p>
      <div class="month wk" aria-hidden="true">{weekdays().map((d) => <span>{d}</span>)}</div>
      <ol class="month">{cells}</ol>
    </section>
  );
}
