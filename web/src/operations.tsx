// What HR does to an interview in flight, on its page: give it to another
// interviewer (POST /interviews/{id}/reassign {to, reason}), move its
// deadline (/move-due {due_date, reason}: today or later, not after the
// obligation's own date), step it back one milestone before any signature
// (/step-back {reason}), reopen a signed one (/reopen {reason}) or cancel
// one not held yet (/cancel {reason}), each
// with the ETag the page last read in If-Match.  A reason is asked for each
// (records keeps it in the audit trail and publishes it); nothing is sent
// before an inline confirmation naming the action (the focus moves to it,
// "Ne rien faire" or Escape gives it back); records' refusal — wrong state,
// someone changed the interview meanwhile (412), not allowed — is said in
// words under the form.  Shown to HR and administrators only; records
// decides all the same.
import { useState } from 'preact/hooks';
import { ApiError, Reply, post } from './api';
import { ConfirmBox, OutcomeLine, refusedText, useConfirm } from './confirm';
import { Key, fmtShort, lang, t } from './i18n';

const fmtDay = (iso: string) => (iso ? fmtShort(iso) : '—');

const ACTIONS = ['reassign', 'move_due', 'step_back', 'reopen', 'cancel'] as const;
type Action = typeof ACTIONS[number];
// the states from which records lets HR do each (docs/records.md, lifecycle)
const FROM: Record<Action, string[]> = {
  reassign: ['planned', 'scheduled', 'preparation', 'shared', 'held'],
  move_due: ['planned', 'scheduled', 'preparation', 'shared'],
  step_back: ['scheduled', 'preparation', 'shared', 'reported'],
  reopen: ['signed_employee', 'signed_manager', 'closed'],
  cancel: ['planned', 'scheduled', 'preparation', 'shared'],
};
const PATH: Record<Action, string> = {
  reassign: 'reassign', move_due: 'move-due', step_back: 'step-back', reopen: 'reopen', cancel: 'cancel',
};
export const hrActions = (status: string) => ACTIONS.filter((a) => FROM[a].includes(status));

function refusal(e: ApiError): string {
  if (e.status === 0) return t('network');
  if (e.status === 412) return t('op_stale');
  if (e.status === 403 || e.status === 401) return t('op_forbidden');
  if (e.status === 404) return t('not_found');
  return refusedText(e);
}

// etag: the interview's version as the page last read it; onDone: the
// interview as records now has it, with its new ETag
export function InterviewOperations({ id, status, manager, due, legal, etag, onDone }: {
  id: string; status: string; manager?: string; due?: string; legal?: string; etag: string;
  onDone: (r: Reply<any>) => void;
}) {
  const offered = hrActions(status);
  const [picked, setPicked] = useState<Action>('reassign');
  const [to, setTo] = useState('');
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const c = useConfirm();
  const { asking, result, setResult } = c;
  if (!offered.length && !result) return null;
  const action: Action = offered.includes(picked) ? picked : offered[0];
  const name = (a: Action) => t(`op_${a}` as Key);

  const act = () => c.run(async () => {
    const body: Record<string, string> = { reason: reason.trim() };
    if (action === 'reassign') body.to = to.trim();
    if (action === 'move_due') body.due_date = date;
    const r = await post<any>(`/interviews/${encodeURIComponent(id)}/${PATH[action]}`, body, etag);
    setReason('');
    setTo('');
    setDate('');
    onDone(r);
    if (action === 'reassign') return `${t('op_done_reassign')} ${r.body?.interview?.manager_id || body.to}.`;
    if (action === 'move_due') return `${t('op_done_move_due')} ${fmtDay(r.body?.interview?.due_date || date)}.`;
    return t(`op_done_${action}` as Key);
  }, (e) => (e instanceof ApiError ? refusal(e) : String(e)));

  return (
    <form class="card" id="iv-ops" aria-labelledby="h-iv-ops" onSubmit={c.ask}>
      <h2 id="h-iv-ops">{t('op_title')}</h2>
      {offered.length > 0 && (
        <>
          <fieldset disabled={asking}>
            <legend>{t('camp_action')}</legend>
            {offered.map((a) => (
              <label class="check"><input type="radio" name="iv-op" value={a} checked={action === a}
                onChange={() => { setPicked(a); setResult(null); }} /> {name(a)}</label>
            ))}
          </fieldset>
          {action === 'reassign' && (
            <>
              <label for="f-op-to">{t('op_to')} <span class="muted small">({t('op_now')} {manager || '—'})</span></label>
              <input id="f-op-to" required maxLength={64} autoComplete="off" value={to} disabled={asking}
                onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
            </>
          )}
          {action === 'move_due' && (
            <>
              <label for="f-op-due">{t('op_due')} <span class="muted small">({t('op_now')} {due ? fmtDay(due) : '—'}
                {legal ? `; ${t('op_legal')} ${fmtDay(legal)}` : ''})</span></label>
              <input id="f-op-due" type="date" required value={date} disabled={asking} max={legal || undefined}
                onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
            </>
          )}
          <label for="f-op-reason">{t('reason')} <span class="muted small">({t('op_reason_help')})</span></label>
          <textarea id="f-op-reason" rows={2} required maxLength={500} value={reason} disabled={asking}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          {!asking && <button type="submit" class="primary" ref={c.submitRef}>{name(action)}…</button>}
          {asking && (
            <ConfirmBox c={c} id="op-confirm-q" onConfirm={act}>
              {t(`op_q_${action}` as Key)}{action === 'reassign' ? ` ${to.trim()}` : action === 'move_due' ? ` ${fmtDay(date)}` : ''}{lang.get() === 'en' ? '?' : ' ?'}
              <span class="block muted small">{t('reason')}{t('colon')}{reason.trim()}</span>
            </ConfirmBox>
          )}
        </>
      )}
      <OutcomeLine id="op-result" result={result} />
    </form>
  );
}
