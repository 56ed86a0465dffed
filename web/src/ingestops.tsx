// "Exploitation" (administrators): the HRIS feed's dead letters — the
// events the scheduler refused, with the field and the reason, as received
// (GET /ingest/dead-letters, 100 at a time by id, "Afficher les suivants"
// asks after the last one) — and HR's access grants, read only (GET
// /access-grants).  A letter is resubmitted once its cause is fixed (POST
// /ingest/dead-letters/resubmit {id}: accepted, it leaves the list; refused
// again, the scheduler keeps a new letter with today's reason, said here).
// Grants are given and taken back here too (POST /access-grants {principal,
// entities, content}, DELETE /access-grants/{principal}), each after an
// inline confirmation; records audits and publishes them.
// Both hold data of every entity: the daemons answer an
// administrator only (a 403 for anyone else), and the link is shown to
// administrators only.  Both requests leave with the script.
import { useState } from 'preact/hooks';
import { call, post } from './api';
import { ConfirmBox, OutcomeLine, refusedText, useConfirm } from './confirm';
import { fmtWhen, t } from './i18n';
import { Failure, NotAllowed, qs, refused, useGet, usePages } from './hr';
import { Col, Table, fmtNum } from './table';

const PAGE = 100;
export const deadPath = (after?: string) => `/ingest/dead-letters${qs({ limit: PAGE, after_id: after })}`;
export const GRANTS_PATH = '/access-grants';
export const OPS_PATHS = [deadPath(), GRANTS_PATH];

type Event = { event_id?: string; source?: string; type?: string; employee_id?: string; effective_date?: string };
type Letter = { id: number; received_at_ms?: number; caller?: string; event?: Event; field?: string; reason?: string; outcome?: string };
type Letters = { letters?: Letter[]; total?: number };
type Grant = { principal: string; entities?: string[]; content?: boolean; granted_by?: string; granted_at_ms?: number };

// the next page starts after the last id of a full page
const nextOf = (p: Letters) => { const l = p.letters || []; return l.length === PAGE ? String(l[l.length - 1].id) : undefined; };

type Result = { outcome?: string; field?: string; reason?: string };

// One letter chosen among those shown, resubmitted; the answer said in words.
function Resubmit({ rows, onApplied }: { rows: Letter[]; onApplied: (id: number) => void /* the letter left the list */ }) {
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const pick = id || (rows[0] ? String(rows[0].id) : '');
  const submit = async (e: { preventDefault: () => void }) => {
    e.preventDefault();
    if (!pick) return;
    setBusy(true);
    setMsg(null);
    try {
      const r = await post<{ results?: Result[] }>('/ingest/dead-letters/resubmit', { id: Number(pick) });
      const x = (r.body.results || [])[0] || {};
      if (x.outcome === 'accepted' || x.outcome === 'duplicate') {
        setMsg({ ok: true, text: `${t('dl_resubmitted')} ${pick}${t('colon')}${t(x.outcome === 'accepted' ? 'dl_applied' : 'dl_duplicate')}` });
        onApplied(Number(pick));
        setId('');
      } else {
        // the letter was taken out: a new one holds today's reason (listed when the page is read again)
        setMsg({ ok: false, text: `${t('dl_refused_again')} ${pick}${t('colon')}${x.field ? `${x.field} — ` : ''}${x.reason || x.outcome || ''}. ${t('dl_new_letter')}` });
        onApplied(Number(pick));
        setId('');
      }
    } catch (x) {
      setMsg({ ok: false, text: refusedText(x) });
    } finally {
      setBusy(false);
    }
  };
  if (!rows.length && !msg) return null;
  return (
    <form id="dead-resubmit" class="card" aria-labelledby="h-dead-resubmit" onSubmit={submit}>
      <h3 id="h-dead-resubmit">{t('dl_resubmit')}</h3>
      <p class="muted small">{t('dl_resubmit_help')}</p>
      {rows.length > 0 && (
        <>
          <label for="f-dead-id">{t('dl_id')}</label>
          <select id="f-dead-id" value={pick} disabled={busy} onChange={(e) => setId((e.target as HTMLSelectElement).value)}>
            {rows.map((l) => <option value={String(l.id)}>{l.id} — {l.event?.event_id} ({l.field})</option>)}
          </select>
          <button type="submit" class="primary" disabled={busy}>{t('dl_resubmit_go')}</button>
        </>
      )}
      <div role="status" aria-live="polite">
        {msg && <p id="dead-resubmit-result" class={msg.ok ? 'ok' : 'error'}>{msg.ok ? '✔ ' : '⛔ '}{msg.text}</p>}
      </div>
    </form>
  );
}

// Give HR a grant (its entities, content or not), or take one back.
function GrantForm({ grants, onChanged }: { grants: Grant[]; onChanged: () => void }) {
  const [mode, setMode] = useState<'grant' | 'revoke'>('grant');
  const [who, setWho] = useState('');
  const [ents, setEnts] = useState('');
  const [content, setContent] = useState(false);
  const [gone, setGone] = useState('');
  const c = useConfirm();
  const entities = ents.split(',').map((x) => x.trim()).filter((x) => x);
  const target = mode === 'revoke' ? gone || grants[0]?.principal || '' : who.trim();
  const act = () => c.run(async () => {
    if (mode === 'grant') {
      await post('/access-grants', { principal: target, entities, content });
      setWho(''); setEnts(''); setContent(false);
      onChanged();
      return `${t('gr_done_grant')} ${target}.`;
    }
    await call('DELETE', `/access-grants/${encodeURIComponent(target)}`);
    setGone('');
    onChanged();
    return `${t('gr_done_revoke')} ${target}.`;
  }, refusedText);
  return (
    <form id="grant-form" class="card" aria-labelledby="h-grant-form" onSubmit={c.ask}>
      <h3 id="h-grant-form">{t('gr_manage')}</h3>
      <fieldset disabled={c.asking}>
        <legend>{t('camp_action')}</legend>
        <label class="check"><input type="radio" name="gr-mode" value="grant" checked={mode === 'grant'} onChange={() => setMode('grant')} /> {t('gr_give')}</label>
        {grants.length > 0 && <label class="check"><input type="radio" name="gr-mode" value="revoke" checked={mode === 'revoke'} onChange={() => setMode('revoke')} /> {t('gr_revoke')}</label>}
      </fieldset>
      {mode === 'grant' ? (
        <>
          <label for="f-gr-who">{t('gr_principal')} <span class="muted small">(hr:…)</span></label>
          <input id="f-gr-who" required pattern="hr:.+" maxLength={64} autoComplete="off" value={who} disabled={c.asking}
            onInput={(e) => setWho((e.target as HTMLInputElement).value)} />
          <label for="f-gr-ents">{t('entity')} <span class="muted small">({t('gr_ents_help')})</span></label>
          <input id="f-gr-ents" required autoComplete="off" value={ents} disabled={c.asking}
            onInput={(e) => setEnts((e.target as HTMLInputElement).value)} />
          <label class="check"><input id="f-gr-content" type="checkbox" checked={content} disabled={c.asking}
            onChange={(e) => setContent((e.target as HTMLInputElement).checked)} /> {t('gr_content')}</label>
        </>
      ) : (
        <>
          <label for="f-gr-gone">{t('gr_principal')}</label>
          <select id="f-gr-gone" value={target} disabled={c.asking} onChange={(e) => setGone((e.target as HTMLSelectElement).value)}>
            {grants.map((g) => <option value={g.principal}>{g.principal}</option>)}
          </select>
        </>
      )}
      {!c.asking && <button type="submit" class="primary" ref={c.submitRef}>{mode === 'grant' ? t('gr_give') : t('gr_revoke')}…</button>}
      {c.asking && (
        <ConfirmBox c={c} id="gr-confirm-q" onConfirm={act}>
          {mode === 'grant'
            ? `${t('gr_q_grant')} ${target} : ${entities.join(', ')}${content ? ` (${t('gr_content').toLowerCase()})` : ''}`
            : `${t('gr_q_revoke')} ${target}`}
        </ConfirmBox>
      )}
      <OutcomeLine id="grant-result" result={c.result} />
    </form>
  );
}

export function Operations({ allowed }: { allowed: boolean }) {
  const dead = usePages<Letters, Letter>(allowed ? deadPath() : null, deadPath, (p) => p.letters, nextOf);
  const [round, setRound] = useState(0);
  const grants = useGet<{ grants?: Grant[] }>(allowed ? GRANTS_PATH : null, round);
  const [gone, setGone] = useState<number[]>([]);
  if (!allowed || refused(dead.load.err)) return <NotAllowed />;
  const letters = dead.rows.filter((l) => !gone.includes(l.id));
  const lcols: Col<Letter>[] = [
    { key: 'id', label: t('dl_id'), num: true },
    { key: 'received_at_ms', label: t('dl_received'), raw: (l) => (l.received_at_ms ? new Date(l.received_at_ms).toISOString() : ''), show: (l) => fmtWhen(l.received_at_ms) },
    { key: 'caller', label: t('dl_caller') },
    { key: 'outcome', label: t('dl_outcome'), raw: (l) => l.outcome || 'rejected', show: (l) => t(l.outcome === 'conflict' ? 'dl_conflict' : 'dl_rejected') },
    { key: 'event_id', label: t('dl_event'), raw: (l) => l.event?.event_id, show: (l) => <>{l.event?.event_id}<span class="muted block small">{l.event?.source}</span></> },
    { key: 'type', label: t('type'), raw: (l) => l.event?.type },
    { key: 'employee_id', label: t('employee'), raw: (l) => l.event?.employee_id },
    { key: 'field', label: t('dl_field') },
    { key: 'reason', label: t('reason'), long: true, show: (l) => <span class="small">{l.reason}</span> },
  ];
  const gcols: Col<Grant>[] = [
    { key: 'principal', label: t('gr_principal') },
    { key: 'entities', label: t('entity'), raw: (g) => (g.entities || []).join(' '), show: (g) => ((g.entities || []).includes('*') ? t('gr_all') : (g.entities || []).join(', ')) },
    { key: 'content', label: t('gr_content'), raw: (g) => !!g.content, show: (g) => t(g.content ? 'yes' : 'no') },
    { key: 'granted_by', label: t('gr_by') },
    { key: 'granted_at_ms', label: t('gr_at'), raw: (g) => (g.granted_at_ms ? new Date(g.granted_at_ms).toISOString() : ''), show: (g) => fmtWhen(g.granted_at_ms) },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('ops_title')}</h1>
      <section aria-labelledby="h-dead">
        <h2 id="h-dead">{t('dl_title')}</h2>
        <p class="muted">{t('dl_help')}</p>
        {dead.load.err && <Failure e={dead.load.err} />}
        {!dead.load.data && !dead.load.err && <p>{t('loading')}</p>}
        {dead.load.data && (
          <>
            <p class="muted"><span data-shown>{fmtNum(letters.length)}</span> {t('shown')} · <span data-total>{fmtNum((dead.load.data.total || 0) - gone.length)}</span> {t('dl_in_total')}</p>
            <Table id="t-dead" caption={t('dl_title')} cols={lcols} rows={letters} csv="lettres-mortes-sirh.csv" />
            <Resubmit rows={letters} onApplied={(id) => setGone([...gone, id])} />
            {dead.err && <Failure e={dead.err} />}
            {dead.next && <button type="button" id="dead-more" onClick={dead.loadMore} disabled={dead.busy}>{t('more')}</button>}
          </>
        )}
      </section>
      <section aria-labelledby="h-grants">
        <h2 id="h-grants">{t('gr_title')}</h2>
        <p class="muted">{t('gr_help')}</p>
        {grants.err && <Failure e={grants.err} />}
        {!grants.data && !grants.err && <p>{t('loading')}</p>}
        {grants.data && <Table id="t-grants" caption={t('gr_title')} cols={gcols} rows={grants.data.grants || []} csv="habilitations-rh.csv" />}
        {grants.data && <GrantForm grants={grants.data.grants || []} onChanged={() => setRound(round + 1)} />}
      </section>
    </main>
  );
}
