// My preferences (GET/PUT /me/preferences): the language of the e-mails the
// product sends me — my choice wins over the HR system's and stays when it
// updates my record — and, for a manager, one summary e-mail a day.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, get } from './api';
import { t } from './i18n';
import { Problem } from './ui';

type Prefs = { preferred_locale?: string; locale?: string; digest?: boolean; email?: string };

export function Preferences({ manager }: { manager: boolean }) {
  const [p, setP] = useState<Prefs | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState('');
  useEffect(() => { get<Prefs>('/me/preferences').then((r) => setP(r.body), setErr); }, []);
  // shown at once (the inputs follow the click), confirmed or undone by the answer
  const save = async (locale: string, digest: boolean) => {
    const before = p;
    setP({ ...p, preferred_locale: locale === 'hris' ? '' : locale, digest });
    setSaved(t('saving'));
    setErr(null);
    try {
      const r = await call<Prefs>('PUT', '/me/preferences', { locale, digest });
      setP(r.body);
      setSaved(t('saved'));
    } catch (e) {
      setP(before);
      setErr(e as ApiError);
      setSaved('');
    }
  };
  const choice = p ? p.preferred_locale || 'hris' : 'hris';
  const hris = p && p.locale === 'en' ? 'English' : 'Français';
  return (
    <main id="main">
      <h1>{t('prefs')}</h1>
      {err && <Problem e={err} />}
      {!p && !err && <p>{t('loading')}</p>}
      {p && (
        <section class="card" aria-labelledby="h-mail">
          <h2 id="h-mail">{t('prefs_mail')}</h2>
          {p.email && <p class="muted">{t('prefs_address')}{t('colon')}{p.email}</p>}
          <fieldset>
            <legend>{t('prefs_lang')}</legend>
            {[['hris', `${t('prefs_hris')} (${hris})`], ['fr', 'Français'], ['en', 'English']].map(([v, label]) => (
              <label class="block" key={v} lang={v === 'en' ? 'en' : v === 'fr' ? 'fr' : undefined}>
                <input type="radio" name="mail-lang" value={v} checked={choice === v}
                  onChange={() => save(v, !!p.digest)} /> {label}
              </label>
            ))}
          </fieldset>
          {manager && (
            <label class="block">
              <input type="checkbox" checked={!!p.digest} onChange={(e) => save(choice, (e.target as HTMLInputElement).checked)} />
              {' '}{t('prefs_digest')}
            </label>
          )}
          <p role="status" aria-live="polite" class="muted">{saved && <span><span aria-hidden="true">✓ </span>{saved}</span>}</p>
        </section>
      )}
    </main>
  );
}
