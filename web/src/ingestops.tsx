// "Exploitation" (administrators): the HRIS feed's dead letters — the
// events the scheduler refused, with the field and the reason, as received
// (GET /ingest/dead-letters, 100 at a time by id, "Afficher les suivants"
// asks after the last one) — and HR's access grants, read only (GET
// /access-grants).  Both hold data of every entity: the daemons answer an
// administrator only (a 403 for anyone else), and the link is shown to
// administrators only.  Both requests leave with the script.
import { fmtWhen, t } from './i18n';
import { Failure, NotAllowed, qs, refused, useGet, usePages } from './hr';
import { Col, Table, fmtNum } from './table';

const PAGE = 100;
export const deadPath = (after?: string) => `/ingest/dead-letters${qs({ limit: PAGE, after_id: after })}`;
export const GRANTS_PATH = '/access-grants';
export const OPS_PATHS = [deadPath(), GRANTS_PATH];

type Event = { event_id?: string; source?: string; type?: string; employee_id?: string; effective_date?: string };
type Letter = { id: number; received_at_ms?: number; caller?: string; event?: Event; field?: string; reason?: string; outcome?: string };
type Letters = { letters?: Letter[]; total?: number };
type Grant = { principal: string; entities?: string[]; content?: boolean; granted_by?: string; granted_at_ms?: number };

// the next page starts after the last id of a full page
const nextOf = (p: Letters) => { const l = p.letters || []; return l.length === PAGE ? String(l[l.length - 1].id) : undefined; };

export function Operations({ allowed }: { allowed: boolean }) {
  const dead = usePages<Letters, Letter>(allowed ? deadPath() : null, deadPath, (p) => p.letters, nextOf);
  const grants = useGet<{ grants?: Grant[] }>(allowed ? GRANTS_PATH : null);
  if (!allowed || refused(dead.load.err)) return <NotAllowed />;
  const lcols: Col<Letter>[] = [
    { key: 'id', label: t('dl_id'), num: true },
    { key: 'received_at_ms', label: t('dl_received'), raw: (l) => (l.received_at_ms ? new Date(l.received_at_ms).toISOString() : ''), show: (l) => fmtWhen(l.received_at_ms) },
    { key: 'caller', label: t('dl_caller') },
    { key: 'outcome', label: t('dl_outcome'), raw: (l) => l.outcome || 'rejected', show: (l) => t(l.outcome === 'conflict' ? 'dl_conflict' : 'dl_rejected') },
    { key: 'event_id', label: t('dl_event'), raw: (l) => l.event?.event_id, show: (l) => <>{l.event?.event_id}<span class="muted block small">{l.event?.source}</span></> },
    { key: 'type', label: t('type'), raw: (l) => l.event?.type },
    { key: 'employee_id', label: t('employee'), raw: (l) => l.event?.employee_id },
    { key: 'field', label: t('dl_field') },
    { key: 'reason', label: t('reason'), long: true, show: (l) => <span class="small">{l.reason}</span> },
  ];
  const gcols: Col<Grant>[] = [
    { key: 'principal', label: t('gr_principal') },
    { key: 'entities', label: t('entity'), raw: (g) => (g.entities || []).join(' '), show: (g) => ((g.entities || []).includes('*') ? t('gr_all') : (g.entities || []).join(', ')) },
    { key: 'content', label: t('gr_content'), raw: (g) => !!g.content, show: (g) => t(g.content ? 'yes' : 'no') },
    { key: 'granted_by', label: t('gr_by') },
    { key: 'granted_at_ms', label: t('gr_at'), raw: (g) => (g.granted_at_ms ? new Date(g.granted_at_ms).toISOString() : ''), show: (g) => fmtWhen(g.granted_at_ms) },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('ops_title')}</h1>
      <section aria-labelledby="h-dead">
        <h2 id="h-dead">{t('dl_title')}</h2>
        <p class="muted">{t('dl_help')}</p>
        {dead.load.err && <Failure e={dead.load.err} />}
        {!dead.load.data && !dead.load.err && <p>{t('loading')}</p>}
        {dead.load.data && (
          <>
            <p class="muted"><span data-shown>{fmtNum(dead.rows.length)}</span> {t('shown')} · <span data-total>{fmtNum(dead.load.data.total || 0)}</span> {t('dl_in_total')}</p>
            <Table id="t-dead" caption={t('dl_title')} cols={lcols} rows={dead.rows} csv="lettres-mortes-sirh.csv" />
            {dead.err && <Failure e={dead.err} />}
            {dead.next && <button type="button" id="dead-more" onClick={dead.loadMore} disabled={dead.busy}>{t('more')}</button>}
          </>
        )}
      </section>
      <section aria-labelledby="h-grants">
        <h2 id="h-grants">{t('gr_title')}</h2>
        <p class="muted">{t('gr_help')}</p>
        {grants.err && <Failure e={grants.err} />}
        {!grants.data && !grants.err && <p>{t('loading')}</p>}
        {grants.data && <Table id="t-grants" caption={t('gr_title')} cols={gcols} rows={grants.data.grants || []} csv="habilitations-rh.csv" />}
      </section>
    </main>
  );
}
