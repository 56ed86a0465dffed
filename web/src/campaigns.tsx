// What HR does to an open campaign from Pilotage: close it, extend it (a
// new end date) or cancel it (POST /campaigns/{id}/close|extend|cancel, with
// the "why" the scheduler keeps and publishes as `note`).  Nothing is sent
// before an inline confirmation that names the campaign and the action (the
// focus moves to it, "Ne rien faire" or Escape goes back); the scheduler's answer — the
// campaign as it now is, or its refusal (already closed, a new end not after
// the current one) — is said in words under the form.
import { useState } from 'preact/hooks';
import { ApiError, post } from './api';
import { ConfirmBox, OutcomeLine, useConfirm } from './confirm';
import { fmtShort, lang, quote, t } from './i18n';

export type Campaign = {
  id: string; type?: string; title?: string; window_start?: string; window_end?: string; entity?: string; department?: string;
  eligible?: number; state?: string; met?: number; upcoming?: number; overdue?: number; cancelled?: number; note?: string;
  site?: string; category?: string; hired_after?: string; hired_before?: string;
};

const ACTIONS = ['close', 'extend', 'cancel'] as const;
type Action = typeof ACTIONS[number];

// a campaign's state as an icon and a word (its own words: a closed
// campaign is not a signed interview)
const STATES: Record<string, [string, string, string]> = {
  open: ['◷', 'Ouverte', 'Open'],
  closed: ['✔', 'Clôturée', 'Closed'],
  cancelled: ['✕', 'Annulée', 'Cancelled'],
};
export function CampaignState({ s }: { s?: string }) {
  const x = STATES[s || 'open'] || ['•', s || '', s || ''];
  return <span class={`state st-camp-${s || 'open'}`}><span aria-hidden="true">{x[0]} </span>{x[lang.get() === 'en' ? 2 : 1]}</span>;
}

const label = (c: Campaign) => (c.title ? `${c.title} (${c.id})` : c.id);

// the refusal in words: the scheduler's reason, and which field it is about
function refusal(e: ApiError): string {
  if (e.status === 0) return t('network');
  if (e.status === 403 || e.status === 401) return t('camp_forbidden');
  if (e.status === 404) return t('camp_gone');
  if (e.field === 'state') return `${t('camp_not_open')} (${e.detail})`;
  return `${t('refused')}${t('colon')}${e.detail || e.code}`;
}

export function CampaignActions({ list, onChanged }: { list: Campaign[]; onChanged: (c: Campaign) => void }) {
  const open = list.filter((c) => !c.state || c.state === 'open');
  const [id, setId] = useState('');
  const [action, setAction] = useState<Action>('close');
  const [end, setEnd] = useState('');
  const [note, setNote] = useState('');
  const c = useConfirm();
  const { asking, result, setResult } = c;
  const camp = open.find((x) => x.id === id) || open[0];
  if (!camp && !result) return null;

  const act = () => camp && c.run(async () => {
    const body: Record<string, string> = {};
    if (action === 'extend') body.window_end = end;
    if (note.trim()) body.note = note.trim();
    const r = await post<Campaign>(`/campaigns/${encodeURIComponent(camp.id)}/${action}`, body);
    const now = r.body && r.body.id ? r.body : { ...camp };
    onChanged(now);
    setNote('');
    return `${label(camp)}${t('colon')}${t(`camp_done_${action}` as any)}${action === 'extend' ? ` ${fmtShort(now.window_end || end)}` : ''}.`;
  }, (e) => (e instanceof ApiError ? refusal(e) : String(e)));

  return (
    <form class="card" id="camp-actions" aria-labelledby="h-camp-actions" onSubmit={c.ask}>
      <h3 id="h-camp-actions">{t('camp_act')}</h3>
      {camp && (
        <>
          <label for="f-camp">{t('campaign')}</label>
          <select id="f-camp" value={camp.id} disabled={asking}
            onChange={(e) => { setId((e.target as HTMLSelectElement).value); setResult(null); }}>
            {open.map((x) => <option value={x.id}>{label(x)}</option>)}
          </select>
          <fieldset disabled={asking}>
            <legend>{t('camp_action')}</legend>
            {ACTIONS.map((a) => (
              <label class="check"><input type="radio" name="camp-action" value={a} checked={action === a}
                onChange={() => { setAction(a); setResult(null); }} /> {t(`camp_${a}` as any)}</label>
            ))}
          </fieldset>
          {action === 'extend' && (
            <>
              <label for="f-camp-end">{t('camp_new_end')} <span class="muted small">({t('camp_now_ends')} {fmtShort(camp.window_end)})</span></label>
              <input id="f-camp-end" type="date" required value={end} disabled={asking}
                onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
            </>
          )}
          <label for="f-camp-note">{t('camp_note')} <span class="muted small">({t('camp_note_help')})</span></label>
          <textarea id="f-camp-note" rows={2} maxLength={500} value={note} disabled={asking}
            onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          {!asking && <button type="submit" class="primary" ref={c.submitRef}>{t(`camp_${action}` as any)}…</button>}
          {asking && (
            <ConfirmBox c={c} id="camp-confirm-q" onConfirm={act}>
              {t(`camp_q_${action}` as any)} {quote(label(camp))}{action === 'extend' ? ` ${t('camp_until')} ${fmtShort(end)}` : ''}{lang.get() === 'en' ? '?' : ' ?'}
            </ConfirmBox>
          )}
        </>
      )}
      <OutcomeLine id="camp-result" result={result} />
    </form>
  );
}
