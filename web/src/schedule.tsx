// Scheduling or rescheduling an interview: date, time, duration, place or
// video link.  The update needs the interview's ETag: it is read just
// before (or given by the interview page), and a 412 says someone else
// changed it.
import { useState } from 'preact/hooks';
import { ApiError, get, post } from './api';
import { t } from './i18n';

const pad = (n: number) => String(n).padStart(2, '0');
const dayOf = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function ScheduleForm({ id, start, duration, place, video, etag, onDone, onCancel }: {
  id: string; start?: number; duration?: number; place?: string; video?: string; etag?: string;
  onDone: (view: any, etag: string) => void; onCancel: () => void;
}) {
  const first = start ? new Date(start) : (() => { const d = new Date(); d.setDate(d.getDate() + 1); d.setHours(10, 0, 0, 0); return d; })();
  const [day, setDay] = useState(dayOf(first));
  const [time, setTime] = useState(`${pad(first.getHours())}:${pad(first.getMinutes())}`);
  const [dur, setDur] = useState(String(duration || 60));
  const [pl, setPl] = useState(place || '');
  const [vl, setVl] = useState(video || '');
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const fid = (n: string) => `sch-${id}-${n}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const tag = etag || (await get(`/interviews/${id}`)).etag;
      const body: any = { start_ms: new Date(`${day}T${time}`).getTime(), duration_min: Number(dur) || 60 };
      if (pl) body.place = pl;
      if (vl) body.video_link = vl;
      const r = await post(`/interviews/${id}/schedule`, body, tag);
      onDone(r.body, r.etag);
    } catch (x) {
      setErr(x instanceof ApiError ? x : new ApiError(0, '', '', ''));
    } finally {
      setBusy(false);
    }
  };
  const fieldErr = (f: string) => err && err.field === f && <p class="error" id={fid(f) + '-err'}><span aria-hidden="true">⚠ </span>{err.detail}</p>;
  return (
    <form class="card schedule" onSubmit={save}>
      <div class="grid2">
        <div><label for={fid('day')}>{t('date')}</label>
          <input id={fid('day')} type="date" required value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} /></div>
        <div><label for={fid('time')}>{t('time')}</label>
          <input id={fid('time')} type="time" required value={time} onInput={(e) => setTime((e.target as HTMLInputElement).value)} /></div>
      </div>
      {fieldErr('start_ms')}
      <label for={fid('dur')}>{t('duration')}</label>
      <input id={fid('dur')} type="number" min="15" max="480" step="15" value={dur} onInput={(e) => setDur((e.target as HTMLInputElement).value)} />
      {fieldErr('duration_min')}
      <label for={fid('place')}>{t('place')}</label>
      <input id={fid('place')} value={pl} onInput={(e) => setPl((e.target as HTMLInputElement).value)} />
      {fieldErr('place')}
      <label for={fid('video')}>{t('video')}</label>
      <input id={fid('video')} type="url" placeholder="https://" value={vl} onInput={(e) => setVl((e.target as HTMLInputElement).value)} />
      {fieldErr('video_link')}
      {err && !['start_ms', 'duration_min', 'place', 'video_link'].includes(err.field) && (
        <p class="error" role="alert"><span aria-hidden="true">⚠ </span>{err.status === 412 ? t('conflict') : err.detail || t('network')}</p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('save')}</button>
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </form>
  );
}
