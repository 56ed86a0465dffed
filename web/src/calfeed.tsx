// The subscribable calendar link of the deadline calendar: a secret URL
// (POST /me/calendar-token) that Outlook, Google Calendar or Thunderbird
// read without signing in — for HR and administrators, the organisation's
// deadlines the gateway lets them see (docs/api.md, "Calendar feed").  The
// gateway keeps only the link's hash, so the link is shown once, when made;
// "Révoquer" ends every link of the signed-in person (DELETE).
import { useState } from 'preact/hooks';
import { ApiError, call, post } from './api';
import { t } from './i18n';
import { Problem } from './ui';

type Feed = { url?: string; path: string; webcal?: string };

export function CalendarLink() {
  const [feed, setFeed] = useState<{ url: string; webcal: string } | null>(null);
  const [said, setSaid] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setErr(null);
    setSaid('');
    try { await f(); } catch (e) { setErr(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', '', '')); } finally { setBusy(false); }
  };
  const create = () => act(async () => {
    const r = await post<Feed>('/me/calendar-token', {});
    // the gateway gives the full URL when it knows its public origin
    const url = r.body.url || location.origin + r.body.path;
    setFeed({ url, webcal: r.body.webcal || url.replace(/^https?:/, 'webcal:') });
    setSaid(t('cal_made'));
  });
  const revoke = () => act(async () => {
    await call('DELETE', '/me/calendar-token');
    setFeed(null);
    setSaid(t('cal_revoked'));
  });
  const copy = async () => {
    try { await navigator.clipboard.writeText(feed!.url); setSaid(t('cal_copied')); } catch { setSaid(t('cal_copy_by_hand')); }
  };
  return (
    <section class="card" aria-labelledby="h-calfeed">
      <h2 id="h-calfeed">{t('cal_title')}</h2>
      <p id="cal-help">{t('cal_help')}</p>
      {feed && (
        <>
          <label for="cal-url">{t('cal_url')}</label>
          <input id="cal-url" readOnly value={feed.url} aria-describedby="cal-help cal-once" onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <p id="cal-once" class="muted small">{t('cal_once')}</p>
          <div class="actions">
            <button type="button" onClick={copy}>{t('cal_copy')}</button>
            <a href={feed.webcal}>{t('cal_open')}</a>
          </div>
        </>
      )}
      <div class="actions">
        <button type="button" id="cal-create" class={feed ? undefined : 'primary'} disabled={busy} onClick={create}>{t(feed ? 'cal_again' : 'cal_create')}</button>
        <button type="button" id="cal-revoke" disabled={busy} onClick={revoke}>{t('cal_revoke')}</button>
      </div>
      <p role="status" class="small">{said}</p>
      {err && <Problem e={err} />}
    </section>
  );
}
