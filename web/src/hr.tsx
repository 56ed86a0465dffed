// What the HR pages (Pilotage, Résultats, Échéances) share: who sees their
// links (HR and administrators, from GET /me), the page shown when the API
// refuses (the API decides, not the link: anyone may type the URL), and the
// loading of one API answer with its refusal told apart.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Me, take } from './api';
import { t } from './i18n';
import { go } from './state';
import { Problem } from './ui';

export const isHr = (m: Me | null | undefined) => !!m && (m.role === 'hr' || m.role === 'admin');

export type Load<T> = { data: T | null; err: ApiError | null };

// One GET (taken from the early requests when the application started it).
export function useGet<T>(path: string | null): Load<T> {
  const [s, set] = useState<Load<T>>({ data: null, err: null });
  useEffect(() => {
    if (!path) return;
    let live = true;
    set({ data: null, err: null });
    take<T>(path).then((r) => live && set({ data: r.body, err: null }), (e) => live && set({ data: null, err: e }));
    return () => { live = false; };
  }, [path]);
  return s;
}

export const refused = (e: ApiError | null) => !!e && (e.status === 403 || e.status === 401);

export function NotAllowed() {
  return (
    <main id="main">
      <h1>{t('not_allowed_title')}</h1>
      <p class="error" role="alert"><span aria-hidden="true">⛔ </span>{t('not_allowed')}</p>
      <p><a href="/me" onClick={(e) => { e.preventDefault(); go('/me'); }}>{t('my')}</a></p>
    </main>
  );
}

// A refusal is the "not allowed" page; any other problem is said in place.
export function Failure({ e }: { e: ApiError }) {
  return refused(e) ? <p class="error" role="alert"><span aria-hidden="true">⛔ </span>{t('not_allowed')}</p> : <Problem e={e} />;
}

export const qs = (o: Record<string, string | number | boolean | undefined>) => {
  const p = Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return p.length ? '?' + p.join('&') : '';
};
