// The HTTP API (docs/api.md) as the pages use it: same origin, the session
// cookie, the CSRF token of the session on every change, ETag / If-Match on
// interview updates, RFC 9457 problems turned into ApiError (status, code,
// field, detail) for the page to show next to the field.

export class ApiError extends Error {
  constructor(public status: number, public code: string, public field: string, public detail: string) {
    super(detail || code || String(status));
  }
}

let csrf = '';
export const setCsrf = (t: string) => { csrf = t || ''; };

export type Reply<T> = { body: T; etag: string };

export async function call<T = any>(method: string, path: string, body?: unknown, ifMatch?: string): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (ifMatch) headers['If-Match'] = ifMatch;
  let res: Response;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '', '');
  }
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    throw new ApiError(res.status, json?.code || '', json?.field || '', json?.detail || json?.title || '');
  }
  return { body: json as T, etag: res.headers.get('ETag') || '' };
}

export const get = <T = any>(path: string) => call<T>('GET', path);
export const post = <T = any>(path: string, body: unknown, ifMatch?: string) => call<T>('POST', path, body, ifMatch);

export type Me = { principal: string; role?: string; id?: string; csrf_token?: string; login?: string };

export type Summary = {
  id: string; employee_id: string; manager_id?: string; type: string; status: string; due_date?: string;
  scheduled_start_ms?: number; held_on?: string; first_name?: string; last_name?: string;
  duration_min?: number; place?: string; video_link?: string; title?: string;
};

export type Obligation = {
  obligation_id: string; employee_id: string; type: string; due_date?: string; status: string; reason?: string;
  actionable?: boolean; manager_id?: string; manager_first_name?: string; manager_last_name?: string;
  rule?: string; basis?: string; entity?: string; first_name?: string; last_name?: string; penalty_eur?: number;
};

// A page's first request starts with the application, beside GET /me, so
// that its first content costs one round trip; the page then takes it.
const early = new Map<string, Promise<Reply<any>>>();
export function prefetch(path: string) {
  const p = get(path);
  p.catch(() => undefined); // taken (and its error shown) by the page, or dropped
  early.set(path, p);
}
// Dropped when the visitor turns out not to be signed in (its answer is a 401).
export const clearPrefetch = () => early.clear();
export function take<T = any>(path: string): Promise<Reply<T>> {
  const p = early.get(path);
  early.delete(path);
  return p || get<T>(path);
}
