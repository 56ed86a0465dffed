// One interview: what, when, where, with whom; the template's sections and
// questions (mine to edit, the other party's once shared); autosave with
// the ETag of the last read (a 412 says someone else wrote: my text stays,
// "reload and merge" puts it over theirs); share, hold, report, sign; the
// PDF of a written report.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, setCsrf, take } from './api';
import { Editor, Question, Shown } from './fields';
import { Key, fmtShort, fmtWhen, t, typeName } from './i18n';
import { InterviewOperations } from './operations';
import { ScheduleForm } from './schedule';
import { Problem, State, Where, pdfUrl, personName } from './ui';

type View = {
  interview: any; employee_answers?: any; manager_answers?: any; manager_notes?: string; withheld?: string[];
  template_json?: any; relation?: string; report_digest?: string;
};
type Save = 'idle' | 'dirty' | 'saving' | 'saved' | 'conflict' | 'invalid' | 'offline' | 'expired';

// the API gives the answers and the template as JSON values (a string only
// from an older gateway)
const parse = (s?: any) => { if (s && typeof s === 'object') return s; try { return s ? JSON.parse(s) : {}; } catch { return {}; } };
const SUB: Record<string, Key> = { title: 'title', measure: 'measure', due_date: 'due_date', weight: 'weight', attainment: 'attainment',
  comment: 'comment', theme: 'theme', priority: 'priority', modality: 'modality', horizon: 'horizon', kind: 'kind', owner: 'owner',
  assessed_level: 'level' };
const subLabel = (k: string) => (SUB[k] ? t(SUB[k]) : k);
const EMP_OPEN = ['planned', 'scheduled', 'preparation', 'shared', 'held'];
const MGR_OPEN = ['planned', 'scheduled', 'preparation', 'shared', 'held', 'reported'];

// hr: the visitor is HR or an administrator (GET /me): the operations in flight are offered
export function InterviewPage({ id, hr }: { id: string; hr?: boolean }) {
  const [view, setView] = useState<View | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [mine, setMine] = useState<Record<string, any>>({});
  const [notes, setNotes] = useState('');
  const [save, setSave] = useState<Save>('idle');
  const [fieldErr, setFieldErr] = useState<Record<string, string>>({});
  const [actErr, setActErr] = useState('');
  const [comment, setComment] = useState('');
  const [scheduling, setScheduling] = useState(false);
  const etag = useRef('');
  const dirty = useRef(new Set<string>());
  const notesDirty = useRef(false);
  const mineRef = useRef(mine);
  mineRef.current = mine;
  const notesRef = useRef(notes);
  notesRef.current = notes;
  const timer = useRef<number | undefined>(undefined);
  const saving = useRef<Promise<void> | null>(null);

  const party = view?.relation === 'employee' ? 'employee' : view?.relation === 'interviewer' ? 'manager' : '';
  // the template comes with a GET only: updates answer without it
  const show = (v: View) => setView((prev) => ({ ...v, template_json: v.template_json ?? prev?.template_json }));
  const adopt = (v: View, tag: string, keepMine: boolean) => {
    show(v);
    etag.current = tag;
    const server = parse(v.relation === 'employee' ? v.employee_answers : v.manager_answers);
    if (!keepMine) { setMine(server); setNotes(v.manager_notes || ''); return; }
    // merge: the server's answers, then mine not saved yet over them
    const merged = { ...server };
    dirty.current.forEach((q) => { merged[q] = mineRef.current[q]; });
    setMine(merged);
    if (!notesDirty.current) setNotes(v.manager_notes || '');
  };
  useEffect(() => {
    take<View>(`/interviews/${id}`).then((r) => adopt(r.body, r.etag, false), setErr);
    return () => clearTimeout(timer.current);
  }, [id]);

  const flush = async (): Promise<void> => {
    clearTimeout(timer.current);
    if (saving.current) await saving.current;
    if (!dirty.current.size && !notesDirty.current) return;
    const sent = new Map<string, any>();
    dirty.current.forEach((q) => sent.set(q, mineRef.current[q] === undefined ? null : mineRef.current[q]));
    const body: any = { answers: Object.fromEntries(sent) };
    const sentNotes = notesDirty.current ? notesRef.current : null;
    if (sentNotes !== null) body.notes = sentNotes;
    setSave('saving');
    saving.current = (async () => {
      try {
        const r = await post<View>(`/interviews/${id}/answer`, body, etag.current);
        sent.forEach((v, q) => { if (mineRef.current[q] === v || (v === null && mineRef.current[q] == null)) dirty.current.delete(q); });
        if (sentNotes !== null && notesRef.current === sentNotes) notesDirty.current = false;
        show(r.body);
        etag.current = r.etag;
        setFieldErr({});
        setSave(dirty.current.size || notesDirty.current ? 'dirty' : 'saved');
      } catch (e) {
        const x = e instanceof ApiError ? e : new ApiError(0, '', '', '');
        if (x.status === 412) setSave('conflict');
        else if (x.status === 0) setSave('offline');
        else if (x.status === 401) setSave('expired'); // the page stays, with the text: sign in again elsewhere, retry
        else {
          const m = /^answers\.([A-Za-z0-9_-]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?/.exec(x.field);
          const q = m?.[1] || (x.field === 'notes' ? '_notes' : '_');
          // "answers.training_needs[0].theme" -> "#1 Thème : <reason>"
          const where = [m?.[2] !== undefined ? `#${Number(m[2]) + 1}` : '', m?.[3] ? subLabel(m[3]) : ''].filter(Boolean).join(' ');
          setFieldErr({ [q]: (where ? where + t('colon') : '') + (x.detail || x.code) });
          setSave('invalid');
        }
      } finally {
        saving.current = null;
      }
    })();
    return saving.current;
  };
  const change = (q: string, v: any) => {
    setMine((m) => ({ ...m, [q]: v }));
    mineRef.current = { ...mineRef.current, [q]: v };
    dirty.current.add(q);
    if (save !== 'conflict') { setSave('dirty'); clearTimeout(timer.current); timer.current = window.setTimeout(flush, 700); }
  };
  const changeNotes = (v: string) => {
    setNotes(v);
    notesRef.current = v;
    notesDirty.current = true;
    if (save !== 'conflict') { setSave('dirty'); clearTimeout(timer.current); timer.current = window.setTimeout(flush, 700); }
  };
  const reloadMerge = async () => {
    try {
      const r = await get<View>(`/interviews/${id}`);
      adopt(r.body, r.etag, true);
      setSave('dirty');
      setTimeout(flush, 0);
    } catch (e) { setErr(e as ApiError); }
  };
  // after signing in again (another tab), the session has a new CSRF token
  const retry = async () => {
    try { setCsrf((await get<any>('/me')).body.csrf_token || ''); } catch { /* still signed out: the save says so */ }
    await flush();
  };
  const act = async (action: string, body: any = {}) => {
    setActErr('');
    await flush();
    if (dirty.current.size || notesDirty.current) return; // a refused or conflicting save is said beside it
    try {
      const r = await post<View>(`/interviews/${id}/${action}`, body, etag.current);
      adopt(r.body, r.etag, false);
    } catch (e) {
      const x = e as ApiError;
      setActErr(x.status === 412 ? t('conflict') : x.detail || t('network'));
      if (x.status === 412) setSave('conflict');
    }
  };

  if (err) return <main id="main"><h1>{t('error')}</h1><Problem e={err} /></main>;
  if (!view) return <main id="main"><p>{t('loading')}</p></main>;
  const iv = view.interview;
  const tpl = parse(view.template_json);
  const st: string = iv.status;
  const mayEdit = (q: Question) => (party === 'employee' ? EMP_OPEN.includes(st) || (st === 'reported' && !!q.after_report && !iv.manager_signature)
    : party === 'manager' ? MGR_OPEN.includes(st) : false);
  const mineQ = (q: Question) => q.who === 'both' || q.who === party;
  const other = party === 'employee' ? 'manager' : 'employee';
  const theirs = parse(party === 'employee' ? view.manager_answers : view.employee_answers);
  const theirsHidden = (view.withheld || []).includes(party === 'employee' ? 'manager_preparation' : 'employee_preparation');
  const iShared = party === 'employee' ? iv.employee_shared : iv.manager_shared;
  const canShare = party && ['scheduled', 'preparation'].includes(st) && !iShared;
  const canSign = (party === 'employee' && ['reported', 'signed_manager'].includes(st) && !iv.employee_signature)
    || (party === 'manager' && ['reported', 'signed_employee'].includes(st) && !iv.manager_signature);
  const pdf = pdfUrl(iv);
  const saveWord: Record<Save, string> = { idle: '', dirty: t('unsaved'), saving: t('saving'), saved: t('saved'), conflict: '', invalid: t('unsaved'), offline: '', expired: '' };

  return (
    <main id="main">
      <h1>{typeName(iv.type)} — {personName(iv)}</h1>
      <section class="card" aria-label={t('status')}>
        <p><State s={st} /> {iv.due_date && <span class="muted">· {t('due')} {fmtShort(iv.due_date)}</span>}</p>
        {iv.title && <p>{iv.title}</p>}
        <p>{iv.scheduled_start_ms ? <strong>{fmtWhen(iv.scheduled_start_ms)}{iv.duration_min ? ` (${iv.duration_min} min)` : ''}</strong> : t('not_scheduled')}</p>
        <Where s={iv} />
        {party === 'manager' && <p class="muted">{t('relation_interviewer')}</p>}
        <div class="actions">
          {party === 'manager' && ['planned', 'scheduled', 'preparation', 'shared'].includes(st) && !scheduling &&
            <button type="button" onClick={() => setScheduling(true)}>{iv.scheduled_start_ms ? t('reschedule') : t('schedule')}</button>}
          {canShare && <button type="button" class="primary" onClick={() => act('share')}>{t('share')}</button>}
          {iShared && ['preparation', 'shared', 'scheduled'].includes(st) && <span class="state"><span aria-hidden="true">✔ </span>{t('shared_done')}</span>}
          {party === 'manager' && ['scheduled', 'preparation', 'shared'].includes(st) && <button type="button" onClick={() => act('hold')}>{t('hold')}</button>}
          {party === 'manager' && st === 'held' && <button type="button" class="primary" onClick={() => act('report')}>{t('report')}</button>}
          {pdf && <a class="button" href={pdf} download>{t('pdf')}</a>}
        </div>
        {actErr && <p class="error" role="alert"><span aria-hidden="true">⚠ </span>{actErr}</p>}
        {scheduling && <ScheduleForm id={id} start={iv.scheduled_start_ms} duration={iv.duration_min} place={iv.place} video={iv.video_link}
          etag={etag.current} onCancel={() => setScheduling(false)} onDone={(v, tag) => { adopt(v, tag, true); setScheduling(false); }} />}
      </section>

      {hr && <InterviewOperations id={id} status={st} manager={iv.manager_id} due={iv.due_date}
        legal={iv.legal_due_date} etag={etag.current}
        onDone={(r) => adopt(r.body, r.etag, true)} />}

      {canSign && (
        <section class="card sign" aria-labelledby="h-sign">
          <h2 id="h-sign"><span aria-hidden="true">✍ </span>{t('sign')}</h2>
          {party === 'employee' && (<>
            <label for="sign-comment">{t('sign_comment')}</label>
            <textarea id="sign-comment" rows={3} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          </>)}
          <button type="button" class="primary" onClick={() => act('sign', comment ? { comment } : {})}>{t('sign')}</button>
        </section>
      )}
      {(iv.employee_signature || iv.manager_signature) && (
        <section class="card" aria-label={t('sign')}>
          {iv.employee_signature && <p><span aria-hidden="true">✔ </span>{t('signed_by_employee')}, {t('signed_on')} {fmtWhen(iv.employee_signature.at_ms)}
            {iv.employee_signature.comment && <span class="block">« {iv.employee_signature.comment} »</span>}</p>}
          {iv.manager_signature && <p><span aria-hidden="true">✔ </span>{t('signed_by_manager')}, {t('signed_on')} {fmtWhen(iv.manager_signature.at_ms)}</p>}
          {view.report_digest && <p class="muted small">{t('digest')}{t('colon')}<code>{view.report_digest}</code></p>}
        </section>
      )}

      <p class="savestate" role="status" aria-live="polite">
        {save === 'saved' && <span aria-hidden="true">✔ </span>}{saveWord[save]}
      </p>
      {save === 'conflict' && (
        <div class="card warn" role="alert">
          <p><span aria-hidden="true">⚠ </span>{t('conflict')}</p>
          <button type="button" class="primary" onClick={reloadMerge}>{t('reload_merge')}</button>
        </div>
      )}
      {(save === 'expired' || save === 'offline') && (
        <div class="card warn" role="alert">
          <p><span aria-hidden="true">⚠ </span>{save === 'expired' ? t('expired') : t('network')}</p>
          <button type="button" onClick={retry}>{t('retry')}</button>
        </div>
      )}
      {fieldErr._ && <p class="error" role="alert">{fieldErr._}</p>}

      {(iv.carried_objectives?.length || iv.carried_action_items?.length) ? (
        <section class="card" aria-labelledby="h-carried">
          <h2 id="h-carried">{t('carried')}</h2>
          {iv.carried_objectives?.length > 0 && <><h3>{t('objectives_carried')}</h3><ul>{iv.carried_objectives.map((o: any) => <li>{o.title}{o.weight ? ` (${o.weight} %)` : ''}</li>)}</ul></>}
          {iv.carried_action_items?.length > 0 && <><h3>{t('actions_carried')}</h3><ul>{iv.carried_action_items.map((a: any) => <li>{a.title} — {fmtShort(a.due_date)}</li>)}</ul></>}
        </section>
      ) : null}

      {(tpl.sections || []).map((s: any) => (
        <section class="card section" aria-labelledby={`s-${s.id}`}>
          <h2 id={`s-${s.id}`}>{s.title}</h2>
          {(s.questions || []).map((q: Question) => {
            const qid = `q-${q.id}`;
            const editable = party && mineQ(q) && mayEdit(q);
            const single = !['rating', 'boolean', 'multiple_choice', 'objectives', 'training_needs', 'action_items', 'mobility_wish', 'competencies'].includes(q.kind);
            return (
              <div class={`question${fieldErr[q.id] ? ' invalid' : ''}`}>
                <label id={qid + '-l'} for={single && editable ? qid : undefined} class="qlabel">
                  {q.label}{q.required && <span class="muted"> ({t('required')})</span>}
                </label>
                {q.help && <p class="muted small">{q.help}</p>}
                {party && mineQ(q) && (editable
                  ? <Editor q={q} id={qid} v={mine[q.id]} set={(v) => change(q.id, v)} err={fieldErr[q.id]} />
                  : <Shown q={q} v={mine[q.id]} />)}
                {fieldErr[q.id] && <p class="error" id={qid + '-err'} role="alert"><span aria-hidden="true">⚠ </span>{fieldErr[q.id]}</p>}
                {(q.who === other || q.who === 'both' || !party) && (
                  <div class="theirs">
                    <p class="muted small">{other === 'employee' ? t('their_answer_employee') : t('their_answer_manager')}</p>
                    {theirsHidden ? <p class="muted">{t('not_shared')}</p> : <Shown q={q} v={theirs[q.id]} />}
                  </div>
                )}
              </div>
            );
          })}
        </section>
      ))}

      {party === 'manager' && (
        <section class="card notes" aria-labelledby="h-notes">
          <h2 id="h-notes">{t('notes')}</h2>
          <label for="notes" class="sr">{t('notes')}</label>
          <textarea id="notes" rows={4} value={notes} disabled={!MGR_OPEN.includes(st)} onInput={(e) => changeNotes((e.target as HTMLTextAreaElement).value)} />
          {fieldErr._notes && <p class="error" role="alert">{fieldErr._notes}</p>}
        </section>
      )}
    </main>
  );
}
