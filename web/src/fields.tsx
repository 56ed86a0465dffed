// One question of a template, by kind (docs/records.md "Templates"): an
// editor for the party answering it, and the answer as text for the other.
import { fmtShort, t } from './i18n';

export type Question = {
  id: string; kind: string; label: string; help?: string; who: string; required?: boolean; after_report?: boolean;
  mode?: string; scale?: { min: number; max: number; levels?: { value: number; label: string }[] };
  options?: { value: string; label: string }[]; items?: { item: string; expected_level?: number }[];
};

type P = { q: Question; v: any; set: (v: any) => void; err?: string; id: string };

const PRIO = ['high', 'medium', 'low'];
const MODALITY = ['classroom', 'e_learning', 'on_the_job', 'coaching', 'cpf', 'other'];
const MOBILITY = ['none', 'internal_same_job', 'internal_new_job', 'geographic', 'external', 'leave'];
const HORIZON = ['6_months', '1_year', '2_years', 'later'];
const word = (s: string) => s.replace(/_/g, ' ');
const levels = (q: Question) => q.scale?.levels?.length ? q.scale.levels
  : Array.from({ length: (q.scale?.max || 5) - (q.scale?.min || 1) + 1 }, (_, i) => ({ value: (q.scale?.min || 1) + i, label: '' }));
const val = (e: Event) => (e.target as HTMLInputElement).value;

function Select({ id, label, value, options, set }: { id: string; label: string; value: any; options: [string, string][]; set: (v: string) => void }) {
  return (
    <span class="sub"><label for={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => set(val(e))}>
        <option value="">{t('choose')}</option>
        {options.map(([v, l]) => <option value={v}>{l}</option>)}
      </select></span>
  );
}
function Input({ id, label, value, set, type = 'text' }: { id: string; label: string; value: any; set: (v: string) => void; type?: 'text' | 'date' | 'number' }) {
  // preact's input types are one union per type value: a variable type needs the cast
  const attrs = { id, type, value: value ?? '' } as any;
  return <span class="sub"><label for={id}>{label}</label><input {...attrs} onInput={(e) => set(val(e))} /></span>;
}

// Rows of objects (objectives, training needs, action items).
function Rows({ id, v, set, cols, blank }: { id: string; v: any; set: (v: any) => void; blank: any;
  cols: (row: any, put: (k: string, x: any) => void, rid: string) => any }) {
  const rows: any[] = Array.isArray(v) ? v : [];
  const put = (i: number) => (k: string, x: any) => {
    const next = rows.map((r, j) => (j === i ? { ...r } : r));
    if (x === '' || x === null || Number.isNaN(x)) delete next[i][k]; else next[i][k] = x;
    set(next);
  };
  return (
    <div class="rowsedit">
      {rows.map((r, i) => (
        <fieldset class="subrow"><legend>#{i + 1}</legend>
          {cols(r, put(i), `${id}-${i}`)}
          <button type="button" onClick={() => set(rows.filter((_, j) => j !== i))}>{t('remove')} #{i + 1}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set([...rows, { ...blank }])}>{t('add')}</button>
    </div>
  );
}

export function Editor({ q, v, set, err, id }: P) {
  const num = (x: string) => (x === '' ? '' : Number(x));
  switch (q.kind) {
    case 'text':
      return <textarea id={id} rows={4} value={v ?? ''} aria-invalid={!!err} aria-describedby={err ? id + '-err' : undefined}
        onInput={(e) => set(val(e) === '' ? null : val(e))} />;
    case 'rating':
      return (
        <div role="radiogroup" aria-labelledby={id + '-l'} class="choices">
          {levels(q).map((l) => (
            <label class="check"><input type="radio" name={id} checked={v === l.value} onChange={() => set(l.value)} /> {l.value}{l.label ? ` — ${l.label}` : ''}</label>
          ))}
        </div>
      );
    case 'boolean':
      return (
        <div role="radiogroup" aria-labelledby={id + '-l'} class="choices">
          <label class="check"><input type="radio" name={id} checked={v === true} onChange={() => set(true)} /> {t('yes')}</label>
          <label class="check"><input type="radio" name={id} checked={v === false} onChange={() => set(false)} /> {t('no')}</label>
        </div>
      );
    case 'single_choice':
      return (
        <select id={id} value={v ?? ''} onChange={(e) => set(val(e) || null)}>
          <option value="">{t('choose')}</option>
          {(q.options || []).map((o) => <option value={o.value}>{o.label}</option>)}
        </select>
      );
    case 'multiple_choice': {
      const cur: string[] = Array.isArray(v) ? v : [];
      return (
        <div class="choices" role="group" aria-labelledby={id + '-l'}>
          {(q.options || []).map((o) => (
            <label class="check"><input type="checkbox" checked={cur.includes(o.value)}
              onChange={(e) => set((e.target as HTMLInputElement).checked ? [...cur, o.value] : cur.filter((x) => x !== o.value))} /> {o.label}</label>
          ))}
        </div>
      );
    }
    case 'objectives':
      return <Rows id={id} v={v} set={set} blank={{ title: '' }} cols={(r, put, rid) => (<>
        <Input id={rid + '-title'} label={t('title')} value={r.title} set={(x) => put('title', x)} />
        <Input id={rid + '-measure'} label={t('measure')} value={r.measure} set={(x) => put('measure', x)} />
        <Input id={rid + '-due'} label={t('due_date')} type="date" value={r.due_date} set={(x) => put('due_date', x)} />
        <Input id={rid + '-weight'} label={t('weight')} type="number" value={r.weight} set={(x) => put('weight', num(x))} />
        {q.mode === 'review' && <Input id={rid + '-att'} label={t('attainment')} type="number" value={r.attainment} set={(x) => put('attainment', num(x))} />}
        <Input id={rid + '-comment'} label={t('comment')} value={r.comment} set={(x) => put('comment', x)} />
      </>)} />;
    case 'training_needs':
      return <Rows id={id} v={v} set={set} blank={{ theme: '', priority: 'medium' }} cols={(r, put, rid) => (<>
        <Input id={rid + '-theme'} label={t('theme')} value={r.theme} set={(x) => put('theme', x)} />
        <Select id={rid + '-prio'} label={t('priority')} value={r.priority} set={(x) => put('priority', x)}
          options={PRIO.map((p) => [p, t(('prio_' + p) as any)])} />
        <Select id={rid + '-mod'} label={t('modality')} value={r.modality} set={(x) => put('modality', x)} options={MODALITY.map((m) => [m, word(m)])} />
        <Input id={rid + '-comment'} label={t('comment')} value={r.comment} set={(x) => put('comment', x)} />
      </>)} />;
    case 'action_items':
      return <Rows id={id} v={v} set={set} blank={{ title: '' }} cols={(r, put, rid) => (<>
        <Input id={rid + '-title'} label={t('title')} value={r.title} set={(x) => put('title', x)} />
        <Input id={rid + '-owner'} label={t('owner')} value={r.owner} set={(x) => put('owner', x)} />
        <Input id={rid + '-due'} label={t('due_date')} type="date" value={r.due_date} set={(x) => put('due_date', x)} />
      </>)} />;
    case 'mobility_wish': {
      const o = v && typeof v === 'object' ? v : {};
      const put = (k: string, x: string) => { const n = { ...o }; if (x) n[k] = x; else delete n[k]; set(Object.keys(n).length ? n : null); };
      return (<div class="subrow">
        <Select id={id + '-kind'} label={t('kind')} value={o.kind} set={(x) => put('kind', x)} options={MOBILITY.map((m) => [m, word(m)])} />
        <Select id={id + '-hor'} label={t('horizon')} value={o.horizon} set={(x) => put('horizon', x)} options={HORIZON.map((m) => [m, word(m)])} />
        <Input id={id + '-comment'} label={t('comment')} value={o.comment} set={(x) => put('comment', x)} />
      </div>);
    }
    case 'competencies': {
      const cur: any[] = Array.isArray(v) ? v : [];
      const put = (item: string, k: string, x: any) => {
        const rest = cur.filter((c) => c.item !== item);
        const c = { ...(cur.find((c) => c.item === item) || { item }) };
        if (x === '' || Number.isNaN(x)) delete c[k]; else c[k] = x;
        set(c.assessed_level === undefined ? (rest.length ? rest : null) : [...rest, c]);
      };
      return (<div>
        {(q.items || []).map((it, i) => {
          const c = cur.find((x) => x.item === it.item) || {};
          return (<div class="subrow">
            <Select id={`${id}-${i}`} label={`${it.item}${it.expected_level ? ` (${t('level')} ${it.expected_level})` : ''}`} value={c.assessed_level}
              set={(x) => put(it.item, 'assessed_level', x === '' ? '' : Number(x))}
              options={levels(q).map((l) => [String(l.value), `${l.value}${l.label ? ' — ' + l.label : ''}`])} />
          </div>);
        })}
      </div>);
    }
    default:
      return <textarea id={id} rows={3} value={v == null ? '' : JSON.stringify(v)} onInput={(e) => { try { set(JSON.parse(val(e))); } catch { /* not yet JSON */ } }} />;
  }
}

// The answer as words, for the party that reads it.
export function Shown({ q, v }: { q: Question; v: any }) {
  if (v === undefined || v === null || v === '') return <p class="muted">—</p>;
  switch (q.kind) {
    case 'text': return <p class="answer">{String(v)}</p>;
    case 'rating': { const l = levels(q).find((x) => x.value === v); return <p class="answer">{v}{l?.label ? ` — ${l.label}` : ''}</p>; }
    case 'boolean': return <p class="answer">{v ? t('yes') : t('no')}</p>;
    case 'single_choice': return <p class="answer">{q.options?.find((o) => o.value === v)?.label || v}</p>;
    case 'multiple_choice': return <p class="answer">{(v as string[]).map((x) => q.options?.find((o) => o.value === x)?.label || x).join(', ')}</p>;
    case 'objectives': return <ul class="answer">{(v as any[]).map((o) => <li>{o.title}{o.weight != null ? ` (${o.weight} %)` : ''}{o.due_date ? ` — ${fmtShort(o.due_date)}` : ''}{o.attainment != null ? ` — ${t('attainment')} ${o.attainment}` : ''}{o.comment ? ` — ${o.comment}` : ''}</li>)}</ul>;
    case 'training_needs': return <ul class="answer">{(v as any[]).map((o) => <li>{o.theme} ({t(('prio_' + o.priority) as any) || o.priority}){o.modality ? `, ${word(o.modality)}` : ''}{o.comment ? ` — ${o.comment}` : ''}</li>)}</ul>;
    case 'action_items': return <ul class="answer">{(v as any[]).map((o) => <li>{o.title} — {o.owner} — {fmtShort(o.due_date)}</li>)}</ul>;
    case 'mobility_wish': return <p class="answer">{word(v.kind || '')}{v.horizon ? `, ${word(v.horizon)}` : ''}{v.comment ? ` — ${v.comment}` : ''}</p>;
    case 'competencies': return <ul class="answer">{(v as any[]).map((c) => <li>{c.item}: {c.assessed_level}</li>)}</ul>;
    default: return <p class="answer">{JSON.stringify(v)}</p>;
  }
}
