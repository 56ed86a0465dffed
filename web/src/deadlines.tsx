// "Calendrier des échéances": the organisation's deadlines (GET /due, in
// due-date order), filtered by type, entity and manager; only the actionable
// ones (an interview should be held for them) unless asked otherwise, in a
// period (by default all that is still owed up to a year ahead); each
// with its rule and the scheduler's reason, as a table and its CSV.
import { useState } from 'preact/hooks';
import { Obligation } from './api';
import { fmtShort, lang, t, typeName, TYPES } from './i18n';
import { Failure, NotAllowed, qs, refused, usePages } from './hr';
import { Col, Table, fmtNum } from './table';
import { State } from './ui';
import { CalendarLink } from './calfeed';

type Due = Obligation;
type Filters = { type: string; entity: string; manager_id: string; from: string; to: string };
const LIMIT = 500;
// The API wants a period: by default everything still owed from the past
// (overdue deadlines can be years old) up to twelve months ahead.
const EARLIEST = '1970-01-01';
const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const inAYear = () => { const d = new Date(); d.setFullYear(d.getFullYear() + 1); return iso(d); };
const initial = (): Filters => ({ type: '', entity: '', manager_id: '', from: '', to: inAYear() });

export const duePath = (f: Filters, cursor?: string) => `/due${qs({
  from: f.from || EARLIEST, to: f.to || inAYear(), type: f.type, entity: f.entity.trim(), manager_id: f.manager_id.trim(),
  limit: LIMIT, lang: lang.get(), cursor })}`;
export const DUE_FIRST = () => duePath(initial());
type Page = { obligations?: Due[]; total?: number; next_cursor?: string };

const name = (a?: string, b?: string) => [a, b].filter(Boolean).join(' ');

// The API does not refuse GET /due to a manager or an employee: it answers
// what they may see (a manager's reports, an employee her own).  The page is
// the organisation's calendar, so it is said "not allowed" to them (allowed:
// the principal of GET /me is HR or an administrator) rather than shown as a
// partial calendar.
export function Deadlines({ allowed }: { allowed: boolean }) {
  const [draft, setDraft] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(draft);
  const [all, setAll] = useState(false);
  // further pages ("Afficher les suivants"), appended; reset with the filters
  const pages = usePages<Page, Due>(allowed ? duePath(applied) : null, (c) => duePath(applied, c), (p) => p.obligations, (p) => p.next_cursor);
  const due = pages.load;
  if (!allowed || refused(due.err)) return <NotAllowed />;
  const rows = pages.rows.filter((o) => all || (o.actionable !== false && (o.status === 'upcoming' || o.status === 'overdue')));
  const cols: Col<Due>[] = [
    { key: 'due_date', label: t('due_date'), show: (o) => fmtShort(o.due_date) },
    { key: 'type', label: t('type'), show: (o) => typeName(o.type) },
    { key: 'employee_id', label: t('employee'), show: (o) => <>{name(o.first_name, o.last_name)}<span class="muted block small">{o.employee_id}</span></> },
    { key: 'entity', label: t('entity') },
    { key: 'manager_id', label: t('manager_col'), show: (o) => name(o.manager_first_name, o.manager_last_name) || o.manager_id || '' },
    { key: 'status', label: t('status'), show: (o) => <State s={o.status} /> },
    { key: 'rule', label: t('rule') },
    { key: 'reason', label: t('reason'), long: true, show: (o) => <span class="small">{o.reason}</span> },
  ];
  const field = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  return (
    <main id="main" class="wide">
      <h1>{t('deadline_calendar')}</h1>
      <CalendarLink />
      <form class="card filters" onSubmit={(e) => { e.preventDefault(); setApplied(draft); }}>
        <div class="grid3">
          <div>
            <label for="f-type">{t('type')}</label>
            <select id="f-type" value={draft.type} onChange={field('type')}>
              <option value="">{t('all_types')}</option>
              {TYPES.map((k) => <option value={k}>{typeName(k)}</option>)}
            </select>
          </div>
          <div>
            <label for="f-entity">{t('entity')}</label>
            <input id="f-entity" value={draft.entity} onInput={field('entity')} autoComplete="off" />
          </div>
          <div>
            <label for="f-manager">{t('manager_id')}</label>
            <input id="f-manager" value={draft.manager_id} onInput={field('manager_id')} autoComplete="off" />
          </div>
          <div>
            <label for="f-from">{t('from')}</label>
            <input id="f-from" type="date" value={draft.from} onInput={field('from')} aria-describedby="f-from-help" />
            <span id="f-from-help" class="muted small">{t('from_help')}</span>
          </div>
          <div>
            <label for="f-to">{t('to')}</label>
            <input id="f-to" type="date" value={draft.to} onInput={field('to')} />
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="primary">{t('filter')}</button>
          <label class="check"><input type="checkbox" id="f-all" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} />{t('show_all_deadlines')}</label>
        </div>
      </form>
      {due.err && <Failure e={due.err} />}
      {!due.data && !due.err && <p>{t('loading')}</p>}
      {due.data && (
        <>
          <p class="muted" role="status"><span data-shown>{fmtNum(rows.length)}</span> {t('shown')} · <span data-total>{fmtNum(due.data.total || 0)}</span> {t('matching')}
          </p>
          <Table id="t-due" caption={t('deadlines_list')} cols={cols} rows={rows} csv="echeances.csv" />
          {pages.err && <Failure e={pages.err} />}
          {pages.next && <button type="button" id="more" onClick={pages.loadMore} disabled={pages.busy}>{t('more')}</button>}
        </>
      )}
    </main>
  );
}
