// "Modèles": the interview templates (GET /templates?all_versions=true:
// every version of every id, without its document), the import of new
// versions (POST /templates: JSON documents chosen as files, each answered
// created / new version / unchanged / rejected with the field and reason
// records gives), and one version read in
// full on /modeles/{id}/{version} (GET /templates/{id}?version=N: its
// sections and questions, each with its kind, who answers it, whether it is
// required and its rating labels).  GET /templates answers anyone signed in
// (records lets any known caller read them): the page is HR's, so the role
// of GET /me decides, as for Personnes.
import { useState } from 'preact/hooks';
import { ApiError, post } from './api';
import { refusedText } from './confirm';
import { Failure, NotAllowed, qs, refused, useGet } from './hr';
import { Key, fmtWhen, lang, t, typeName } from './i18n';
import { go } from './state';
import { Col, Table, fmtNum } from './table';

export type TemplateRow = {
  id: string; version?: number; type?: string; locale?: string; entity?: string; category?: string; title?: string;
  digest?: string; imported_at_ms?: number; imported_by?: string; questions?: number; document?: string;
  interviews?: number; campaigns?: { campaign_id: string; interviews?: number }[];
};
type Question = {
  id: string; kind: string; label?: string; who?: string; required?: boolean; after_report?: boolean; topic?: string;
  scale?: { min?: number; max?: number; levels?: { value: number; label: string }[] };
  options?: { value: string; label: string }[]; items?: { item: string; expected_level?: number }[];
};
type Doc = { title?: string; description?: string; sections?: { id: string; title?: string; theme?: string; questions?: Question[] }[] };

export const TEMPLATES_PATH = `/templates${qs({ all_versions: true })}`;
export const templatePath = (id: string, version?: number) => `/templates/${encodeURIComponent(id)}${qs({ version })}`;
// The page of a version ends with the version (or a slash for the latest):
// a template id has dots ("annual_review.fr"), and the gateway serves a path
// whose last segment has a dot as a file, not as the application.
export const modelPath = (id: string, version?: number) => `/modeles/${encodeURIComponent(id)}/${version || ''}`;
// "/modeles/{id}/[{version}]" -> the template and version (main.tsx starts its request with the script)
export function modelRoute(p: string): { id: string; version?: number } | null {
  const m = /^\/modeles\/([^/]+)\/(\d*)$/.exec(p);
  return m ? { id: decodeURIComponent(m[1]), version: m[2] ? Number(m[2]) : undefined } : null;
}

const link = (to: string, text: string) => <a href={to} onClick={(e) => { e.preventDefault(); go(to); }}>{text}</a>;

const KINDS: Record<string, [string, string]> = {
  text: ['Texte libre', 'Free text'], rating: ['Note', 'Rating'], boolean: ['Oui / non', 'Yes / no'],
  single_choice: ['Choix unique', 'Single choice'], multiple_choice: ['Choix multiple', 'Multiple choice'],
  objectives: ['Objectifs', 'Objectives'], training_needs: ['Besoins de formation', 'Training needs'],
  mobility_wish: ['Souhait de mobilité', 'Mobility wish'], competencies: ['Compétences', 'Competencies'],
  action_items: ['Actions', 'Action items'],
};
const kindName = (k: string) => (KINDS[k] ? KINDS[k][lang.get() === 'en' ? 1 : 0] : k);
const whoName = (w?: string) => (w === 'employee' ? t('tpl_who_employee') : w === 'manager' ? t('tpl_who_manager') : w === 'both' ? t('tpl_who_both') : w || '');

type ImportResult = { id?: string; version?: number; outcome: string; field?: string; reason?: string };

// Files chosen, read in the browser, sent in one request; the answer per file.
function ImportForm({ onImported }: { onImported: () => void }) {
  const [busy, setBusy] = useState(false);
  const [rows, setRows] = useState<(ImportResult & { file: string })[] | null>(null);
  const [err, setErr] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input[type=file]') as HTMLInputElement;
    const files = Array.from(input.files || []);
    setRows(null);
    setErr('');
    if (!files.length) { setErr(t('tpl_import_none')); return; }
    setBusy(true);
    try {
      const texts = await Promise.all(files.map((f) => f.text()));
      const r = await post<{ results?: ImportResult[] }>('/templates', { documents: texts });
      setRows((r.body.results || []).map((x, i) => ({ ...x, file: files[i]?.name || '' })));
      input.value = '';
      onImported();
    } catch (x) {
      setErr(x instanceof ApiError && x.status === 403 ? t('op_forbidden') : refusedText(x));
    } finally {
      setBusy(false);
    }
  };
  const outcome = (o: string) => t(`tpl_out_${o}` as Key) || o;
  return (
    <form class="card" id="tpl-import" aria-labelledby="h-tpl-import" onSubmit={submit}>
      <h2 id="h-tpl-import">{t('tpl_import')}</h2>
      <p class="muted small">{t('tpl_import_help')}</p>
      <label for="f-tpl-files">{t('tpl_import_files')}</label>
      <input id="f-tpl-files" type="file" accept=".json,application/json" multiple disabled={busy} />
      <button type="submit" class="primary" disabled={busy}>{busy ? t('loading') : t('tpl_import_go')}</button>
      <div role="status" aria-live="polite">
        {err && <p class="error" id="tpl-import-error">{err}</p>}
        {rows && (
          <ul id="tpl-import-results">
            {rows.map((x) => (
              <li class={x.outcome === 'rejected' ? 'error' : ''}>
                {x.file}{t('colon')}{outcome(x.outcome)}{x.id ? ` — ${x.id}` : ''}{x.version ? ` v${x.version}` : ''}
                {x.reason ? ` (${x.field ? `${x.field}${t('colon')}` : ''}${x.reason})` : ''}
              </li>
            ))}
          </ul>
        )}
      </div>
    </form>
  );
}

export function Templates({ allowed }: { allowed: boolean }) {
  const [round, setRound] = useState(0);
  const load = useGet<{ templates?: TemplateRow[] }>(allowed ? TEMPLATES_PATH : null, round);
  if (!allowed || refused(load.err)) return <NotAllowed />;
  const rows = load.data?.templates || [];
  const cols: Col<TemplateRow>[] = [
    { key: 'id', label: t('tpl_id'), show: (r) => link(modelPath(r.id, r.version), r.id) },
    { key: 'version', label: t('tpl_version'), num: true },
    { key: 'title', label: t('title') },
    { key: 'type', label: t('type'), show: (r) => (r.type ? typeName(r.type) : '') },
    { key: 'locale', label: t('locale') },
    { key: 'entity', label: t('entity') },
    { key: 'category', label: t('category') },
    { key: 'questions', label: t('tpl_questions'), num: true },
    { key: 'interviews', label: t('tpl_interviews'), num: true },
    { key: 'imported_at_ms', label: t('tpl_imported'), show: (r) => fmtWhen(r.imported_at_ms) },
    { key: 'imported_by', label: t('tpl_imported_by') },
  ];
  return (
    <main id="main" class="wide">
      <h1>{t('templates_title')}</h1>
      <p class="muted">{t('templates_help')}</p>
      {load.err && <Failure e={load.err} />}
      {!load.data && !load.err && <p>{t('loading')}</p>}
      {/* outside the list's loading: the answers stay while the list is read again */}
      <ImportForm onImported={() => setRound(round + 1)} />
      {load.data && <Table id="t-templates" caption={`${t('templates_title')} (${fmtNum(rows.length)})`} cols={cols} rows={rows} csv="modeles.csv" />}
    </main>
  );
}

// the template's document comes as the canonical JSON text records stored
const parseDoc = (s?: string): Doc => { try { return s ? JSON.parse(s) : {}; } catch { return {}; } };

export function TemplatePage({ id, version, allowed }: { id: string; version?: number; allowed: boolean }) {
  const load = useGet<TemplateRow>(allowed ? templatePath(id, version) : null);
  if (!allowed || refused(load.err)) return <NotAllowed />;
  const tpl = load.data;
  const doc = parseDoc(tpl?.document);
  return (
    <main id="main">
      <p>{link('/modeles', t('templates_back'))}</p>
      {load.err && <><h1>{id}</h1><Failure e={load.err} /></>}
      {!tpl && !load.err && <p>{t('loading')}</p>}
      {tpl && (
        <>
          <h1>{doc.title || tpl.title || tpl.id}</h1>
          <dl class="attrs">
            <dt>{t('tpl_id')}</dt><dd>{tpl.id}</dd>
            <dt>{t('tpl_version')}</dt><dd>{tpl.version}</dd>
            <dt>{t('type')}</dt><dd>{tpl.type ? typeName(tpl.type) : ''}</dd>
            <dt>{t('locale')}</dt><dd>{tpl.locale}</dd>
            {tpl.entity && <><dt>{t('entity')}</dt><dd>{tpl.entity}</dd></>}
            {tpl.category && <><dt>{t('category')}</dt><dd>{tpl.category}</dd></>}
            <dt>{t('tpl_imported')}</dt><dd>{fmtWhen(tpl.imported_at_ms)}{tpl.imported_by ? ` — ${tpl.imported_by}` : ''}</dd>
            <dt>{t('digest')}</dt><dd><code class="small">{tpl.digest}</code></dd>
            <dt>{t('tpl_interviews')}</dt><dd id="tpl-interviews">{fmtNum(tpl.interviews || 0)}</dd>
            {(tpl.campaigns || []).length > 0 && (
              <>
                <dt>{t('tpl_campaigns')}</dt>
                <dd><ul id="tpl-campaigns" class="plain">
                  {(tpl.campaigns || []).map((c) => <li data-campaign={c.campaign_id}>{c.campaign_id}{t('colon')}{fmtNum(c.interviews || 0)}</li>)}
                </ul></dd>
              </>
            )}
          </dl>
          {doc.description && <p>{doc.description}</p>}
          {(doc.sections || []).map((s) => (
            <section class="card section" aria-labelledby={`ts-${s.id}`}>
              <h2 id={`ts-${s.id}`}>{s.title || s.id}</h2>
              <ol class="tpl-questions">
                {(s.questions || []).map((q) => (
                  <li data-q={q.id}>
                    <p><strong>{q.label || q.id}</strong></p>
                    <p class="small">
                      <span data-kind={q.kind}>{kindName(q.kind)}</span> · <span data-who={q.who || ''}>{whoName(q.who)}</span>
                      {' · '}<span data-required={q.required ? 'true' : 'false'}>{q.required ? t('required') : t('tpl_optional')}</span>
                      {q.after_report && <> · {t('tpl_after_report')}</>}
                      {q.topic && <> · {t('topic')}{t('colon')}{q.topic}</>}
                    </p>
                    {q.scale?.levels && q.scale.levels.length > 0 && (
                      <ul class="small" aria-label={t('scale')}>
                        {q.scale.levels.map((l) => <li data-level={l.value}>{l.value} — {l.label}</li>)}
                      </ul>
                    )}
                    {q.options && q.options.length > 0 && <p class="small">{t('tpl_options')}{t('colon')}{q.options.map((o) => o.label).join(' · ')}</p>}
                    {q.items && q.items.length > 0 && <p class="small">{t('item')}{t('colon')}{q.items.map((i) => i.item).join(' · ')}</p>}
                  </li>
                ))}
              </ol>
            </section>
          ))}
        </>
      )}
    </main>
  );
}
