// The inline confirmation HR's actions share (a campaign's close, extend,
// cancel; an interview's reassign, reopen, cancel): the form's button asks,
// the question takes the focus, "Confirmer" sends, "Ne rien faire" or
// Escape gives the focus back to the button; the outcome — done, or the
// refusal in words — is said under the form (a live region).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { t } from './i18n';

// A refusal said in words: the daemon's reason and the field it names.
export const refusedText = (e: unknown) =>
  e instanceof ApiError ? `${t('refused')}${t('colon')}${e.detail || e.code}${e.field ? ` (${e.field})` : ''}` : String(e);

export type Outcome = { ok: boolean; text: string } | null;

export function useConfirm() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Outcome>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  // where the focus goes once the confirmation opens or closes (in the
  // render that shows the button, so that keyboard users never lose it)
  const focusTo = useRef<'confirm' | 'submit' | null>(null);
  useLayoutEffect(() => {
    const el = focusTo.current === 'confirm' ? confirmRef.current : focusTo.current === 'submit' ? submitRef.current : null;
    if (el) { el.focus(); focusTo.current = null; }
  });
  const ask = (e: Event) => {
    e.preventDefault();
    setResult(null);
    setAsking(true);
    focusTo.current = 'confirm';
  };
  const back = () => { setAsking(false); focusTo.current = 'submit'; };
  // send: the request, resolving to the words that say it was done;
  // refusal: the words of its failure
  const run = async (send: () => Promise<string>, refusal: (e: unknown) => string) => {
    setBusy(true);
    try {
      setResult({ ok: true, text: await send() });
    } catch (e) {
      setResult({ ok: false, text: refusal(e) });
    } finally {
      setBusy(false);
      setAsking(false);
      focusTo.current = 'submit';
    }
  };
  return { asking, busy, result, setResult, confirmRef, submitRef, ask, back, run };
}
export type Confirm = ReturnType<typeof useConfirm>;

// the question (id: its element's id) and the two buttons
export function ConfirmBox({ c, id, children, onConfirm }: { c: Confirm; id: string; children: any; onConfirm: () => void }) {
  return (
    <div class="confirm" role="group" aria-labelledby={id} onKeyDown={(e) => { if (e.key === 'Escape' && !c.busy) c.back(); }}>
      <p id={id}><span aria-hidden="true">⚠ </span>{children}</p>
      <button type="button" class="primary" ref={c.confirmRef} disabled={c.busy} onClick={onConfirm}>{t('camp_confirm')}</button>
      <button type="button" disabled={c.busy} onClick={c.back}>{t('camp_keep')}</button>
    </div>
  );
}

export function OutcomeLine({ id, result }: { id: string; result: Outcome }) {
  return (
    <div aria-live="polite" id={id}>
      {result && (result.ok
        ? <p class="ok" role="status"><span aria-hidden="true">✔ </span>{result.text}</p>
        : <p class="error" role="alert"><span aria-hidden="true">⛔ </span>{result.text}</p>)}
    </div>
  );
}
