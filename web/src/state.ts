// A value components re-render on (a tiny signal: preact/hooks only).
import { useEffect, useState } from 'preact/hooks';

export type Signal<T> = { get(): T; set(v: T): void; use(): T };
export function signal<T>(v: T): Signal<T> {
  const subs = new Set<(v: T) => void>();
  const s: Signal<T> = {
    get: () => v,
    set: (n: T) => { v = n; subs.forEach((f) => f(n)); },
    use: () => {
      const [, set] = useState(0);
      useEffect(() => { const f = () => set((x) => x + 1); subs.add(f); return () => { subs.delete(f); }; }, []);
      return v;
    },
  };
  return s;
}

export const path = signal(location.pathname);
export function go(to: string) {
  if (to !== location.pathname) history.pushState(null, '', to);
  path.set(location.pathname);
  window.scrollTo(0, 0);
}
addEventListener('popstate', () => path.set(location.pathname));
