// A table of figures the HR pages share: a caption, headers, the rows, and
// "Télécharger (CSV)" built in the browser from the same rows (no second
// request: the CSV is what the table shows, in the API's raw values).
import { lang, t } from './i18n';

export type Col<R> = {
  key: string;                         // the CSV column (stable, English, the API's name)
  label: string;                       // the header shown
  num?: boolean;                       // right-aligned, formatted
  long?: boolean;                      // prose (a reason): a readable width, the table scrolls instead
  show?: (r: R) => any;                // what the cell shows (default: the raw value)
  raw?: (r: R) => string | number | boolean | null | undefined; // the CSV value (default: r[key])
};

// the API leaves zero counts out of its JSON: a number column says 0
const rawOf = <R,>(c: Col<R>, r: R) => { const v = c.raw ? c.raw(r) : (r as any)[c.key]; return c.num && (v === undefined || v === null) ? 0 : v; };

// RFC 4180: fields with a comma, quote or line break are quoted, quotes
// doubled; a value starting with = + - @ is prefixed with ' so that a
// spreadsheet never runs it as a formula (CSV injection).
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<R>(cols: Col<R>[], rows: R[]): string {
  const lines = [cols.map((c) => csvField(c.key)).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvField(rawOf(c, r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export const fmtNum = (n: number | undefined | null) =>
  n === undefined || n === null ? '' : n.toLocaleString(lang.get() === 'en' ? 'en-GB' : 'fr-FR');
export const fmtEur = (n: number | undefined | null) =>
  (n || 0).toLocaleString(lang.get() === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
export const fmtPct = (x: number | undefined | null) =>
  x === undefined || x === null ? '—' : (x * 100).toLocaleString(lang.get() === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 }) + ' %';

function download(name: string, text: string) {
  // a BOM so that spreadsheets read the accents as UTF-8
  const url = URL.createObjectURL(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function Table<R>({ id, caption, cols, rows, csv, foot }: {
  id: string; caption: string; cols: Col<R>[]; rows: R[]; csv: string; foot?: R;
}) {
  return (
    <div class="tablecard">
      <div class="toolbar">
        <h3 id={`${id}-cap`}>{caption}</h3>
        <button type="button" data-csv={id} onClick={() => download(csv, toCsv(cols, foot ? [...rows, foot] : rows))}>
          <span aria-hidden="true">⤓ </span>{t('csv')}<span class="sr"> — {caption}</span>
        </button>
      </div>
      {/* wide tables scroll in their own box (keyboard-scrollable), never the page */}
      <div class="scroll" tabIndex={0} role="region" aria-labelledby={`${id}-cap`}>
        <table id={id}>
          <thead><tr>{cols.map((c) => <th scope="col" class={c.num ? 'num' : undefined}>{c.label}</th>)}</tr></thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={cols.length}>{t('none')}</td></tr>}
            {rows.map((r) => <tr>{cols.map((c) => <td class={c.num ? 'num' : c.long ? 'long' : undefined}>{cell(c, r)}</td>)}</tr>)}
          </tbody>
          {foot && <tfoot><tr>{cols.map((c) => <td class={c.num ? 'num' : undefined}>{cell(c, foot)}</td>)}</tr></tfoot>}
        </table>
      </div>
    </div>
  );
}

function cell<R>(c: Col<R>, r: R) {
  if (c.show) return c.show(r);
  const v = rawOf(c, r);
  return c.num && typeof v === 'number' ? fmtNum(v) : v;
}
