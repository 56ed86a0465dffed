// "Mes entretiens": the next interview (date, place or video link, with
// whom), what to do (prepare, sign), past interviews, and my deadlines
// (GET /me/interviews for the first content, /me/obligations after).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Obligation, Summary, get, take } from './api';
import { fmtShort, fmtWhen, t, typeName } from './i18n';
import { go } from './state';
import { Problem, State, Where, pdfUrl, whoName } from './ui';

export const HOME_PATH = '/me/interviews?limit=200';
const CLOSED = ['closed', 'cancelled'];

export function Home() {
  const [ivs, setIvs] = useState<Summary[] | null>(null);
  const [obs, setObs] = useState<Obligation[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  useEffect(() => {
    take<{ interviews: Summary[] }>(HOME_PATH).then((r) => setIvs(r.body.interviews || []), setErr);
    get<{ obligations: Obligation[] }>('/me/obligations').then((r) => setObs(r.body.obligations || []), () => setObs([]));
  }, []);
  const names = new Map<string, string>();
  for (const o of obs || []) if (o.manager_id && o.manager_first_name) names.set(o.manager_id, `${o.manager_first_name} ${o.manager_last_name || ''}`.trim());
  const open = (ivs || []).filter((i) => !CLOSED.includes(i.status));
  const past = (ivs || []).filter((i) => CLOSED.includes(i.status));
  const now = Date.now();
  const coming = open.filter((i) => (i.scheduled_start_ms || 0) >= now - 3600e3)
    .sort((a, b) => (a.scheduled_start_ms || 0) - (b.scheduled_start_ms || 0));
  const next = coming[0];
  return (
    <main id="main">
      <h1>{t('my')}</h1>
      {err && <Problem e={err} />}
      {!ivs && !err && <p>{t('loading')}</p>}
      {ivs && (
        <section aria-labelledby="h-next" class="card next">
          <h2 id="h-next">{t('next')}</h2>
          {next ? (
            <div>
              <p class="big">{typeName(next.type)}</p>
              <p><strong>{fmtWhen(next.scheduled_start_ms)}</strong>{next.duration_min ? ` (${next.duration_min} min)` : ''}</p>
              <Where s={next} />
              <p>{t('with')} {whoName(next.manager_id, names)}</p>
              <p><State s={next.status} /></p>
              <a class="button primary" href={`/interviews/${next.id}`} onClick={(e) => { e.preventDefault(); go(`/interviews/${next.id}`); }}>{t('prepare')}</a>
            </div>
          ) : <p>{t('none_next')}</p>}
        </section>
      )}
      {ivs && (
        <section aria-labelledby="h-todo">
          <h2 id="h-todo">{t('todo')}</h2>
          {open.length ? <ul class="rows">{open.map((i) => <Row key={i.id} i={i} names={names} />)}</ul> : <p>{t('none')}</p>}
        </section>
      )}
      <section aria-labelledby="h-dl">
        <h2 id="h-dl">{t('deadlines')}</h2>
        {obs === null ? <p>{t('loading')}</p> : obs.filter((o) => o.actionable !== false && o.status !== 'cancelled').length === 0 ? <p>{t('none')}</p> : (
          <ul class="rows">
            {obs.filter((o) => o.status !== 'cancelled').map((o) => (
              <li key={o.obligation_id} class="row">
                <span class="grow"><strong>{typeName(o.type)}</strong> — {t('due')} {fmtShort(o.due_date)}
                  {o.reason && <span class="muted block">{o.reason}</span>}</span>
                <State s={o.status} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {ivs && past.length > 0 && (
        <section aria-labelledby="h-past">
          <h2 id="h-past">{t('past')}</h2>
          <ul class="rows">{past.map((i) => <Row key={i.id} i={i} names={names} />)}</ul>
        </section>
      )}
    </main>
  );
}

function Row({ i, names }: { i: Summary; names: Map<string, string> }) {
  return (
    <li class="row">
      <span class="grow">
        <a href={`/interviews/${i.id}`} onClick={(e) => { e.preventDefault(); go(`/interviews/${i.id}`); }}>{typeName(i.type)}</a>
        <span class="muted block">
          {i.scheduled_start_ms ? fmtWhen(i.scheduled_start_ms) : `${t('due')} ${fmtShort(i.due_date)}`} · {t('with')} {whoName(i.manager_id, names)}
        </span>
      </span>
      <State s={i.status} />
      {pdfUrl(i) && <a class="button" href={pdfUrl(i)!} download>{t('pdf')}</a>}
    </li>
  );
}
