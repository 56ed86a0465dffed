// What the HR pages (Pilotage, Résultats, Échéances) share: who sees their
// links (HR and administrators, from GET /me), the page shown when the API
// refuses (the API decides, not the link: anyone may type the URL), and the
// loading of one API answer with its refusal told apart.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, Me, get, take } from './api';
import { t } from './i18n';
import { go } from './state';
import { Problem } from './ui';

export const isHr = (m: Me | null | undefined) => !!m && (m.role === 'hr' || m.role === 'admin');

export type Load<T> = { data: T | null; err: ApiError | null };

// One GET (taken from the early requests when the application started it);
// a new round asks again (after a change the page made).
export function useGet<T>(path: string | null, round = 0): Load<T> {
  const [s, set] = useState<Load<T>>({ data: null, err: null });
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (!path) return;
    let live = true;
    // asked again for the same path (a change the page made): the answer
    // shown stays until the new one comes, so that the page (and the forms
    // under it, with what they just said) is not taken down meanwhile
    const again = last.current === path;
    last.current = path;
    if (!again) set({ data: null, err: null });
    take<T>(path).then((r) => live && set({ data: r.body, err: null }), (e) => live && set({ data: null, err: e }));
    return () => { live = false; };
  }, [path, round]);
  return s;
}

// A paged list: the first page (one GET, taken from the early requests) and
// the further ones asked with "Afficher les suivants", appended; they are
// dropped when the first page's path changes (new filters, a new search).
// page(cursor): the path of the page after cursor; rows, next: read an answer.
export function usePages<P, R>(first: string | null, page: (cursor: string) => string,
  rows: (p: P) => R[] | undefined, next: (p: P) => string | undefined) {
  const load = useGet<P>(first);
  const [more, setMore] = useState<{ key: string | null; rows: R[]; next?: string; busy?: boolean; err?: ApiError }>({ key: '', rows: [] });
  const extra = more.key === first ? more : { key: first, rows: [] as R[], next: undefined, busy: false, err: undefined };
  const cursor = extra.rows.length ? extra.next : load.data ? next(load.data) : undefined;
  const loadMore = () => {
    if (!cursor) return;
    setMore({ ...extra, busy: true });
    get<P>(page(cursor)).then(
      (r) => setMore({ key: first, rows: [...extra.rows, ...(rows(r.body) || [])], next: next(r.body) }),
      (e) => setMore({ ...extra, busy: false, err: e }));
  };
  return { load, rows: [...((load.data && rows(load.data)) || []), ...extra.rows], next: cursor, busy: !!extra.busy, err: extra.err, loadMore };
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

// One answer's part of a page: its problem, "loading", or children(data).
export function Part<T>({ l, children }: { l: Load<T>; children: (d: T) => any }) {
  if (l.err) return <Failure e={l.err} />;
  if (!l.data) return <p>{t('loading')}</p>;
  return children(l.data);
}

export const qs = (o: Record<string, string | number | boolean | undefined>) => {
  const p = Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return p.length ? '?' + p.join('&') : '';
};
