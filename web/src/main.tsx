// The web application's shell: who is signed in (GET /me, sent together
// with the page's own request), the header (pages, language, sign-out), the
// routes, and the sign-in form shown in place of any page without a session
// (the page's URL stays, so an e-mail's link opens its page after sign-in).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Me, clearPrefetch, get, post, prefetch, setCsrf } from './api';
import { lang, setLang, t } from './i18n';
import { go, path, signal } from './state';
import { HOME_PATH, Home } from './home';
import { TEAM_PATH, Team } from './team';
import { InterviewPage } from './interview';
import { Preferences } from './prefs';
import { isHr } from './hr';
import { EntityPage, PILOT_CAMPAIGNS, PILOT_COMPLIANCE, Pilotage } from './pilotage';
import { Results, resPaths } from './results';
import { DUE_FIRST, Deadlines } from './deadlines';
import { People, PersonPage, peoplePath, personPaths } from './people';
import { COMPLIANCE_PATHS, Compliance, RecapEntity } from './compliance';
import { FOLLOWUP } from './followup';
import { OPS_PATHS, Operations } from './ingestops';
import { TEMPLATES_PATH, TemplatePage, Templates, modelRoute, templatePath } from './templates';
import { CampaignPage, NEW_CAMPAIGN, NewCampaign, campaignPaths } from './campaign';

export const me = signal<Me | null | undefined>(undefined); // undefined: not known yet; null: signed out

async function loadMe() {
  try {
    const r = await get<Me>('/me');
    setCsrf(r.body.csrf_token || '');
    me.set(r.body);
  } catch (e) {
    clearPrefetch();
    me.set(null);
    if (!(e instanceof ApiError) || e.status !== 401) console.error(e);
  }
}

export const isManager = (m: Me | null | undefined) => !!m && m.role === 'manager';
const isAdmin = (m: Me | null | undefined) => !!m && m.role === 'admin';
// where each principal lands: HR and administrators on Pilotage
const landing = (m: Me | null | undefined) => (isHr(m) ? '/pilotage' : isManager(m) ? '/team' : '/me');

function Login() {
  const [login, setLogin] = useState('');
  const [pw, setPw] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr('');
    try {
      const r = await post<any>('/auth/login', { login, password: pw });
      setCsrf(r.body.csrf_token);
      await loadMe();
      if (location.pathname === '/' || location.pathname === '/login') go(landing(me.get()));
    } catch (e) {
      setErr(e instanceof ApiError && e.status === 429 ? t('locked') : e instanceof ApiError && e.status === 0 ? t('network') : t('bad_login'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="narrow">
      <h1>{t('signin')}</h1>
      <form onSubmit={submit} class="card">
        <label for="login">{t('login')}</label>
        <input id="login" name="login" autoComplete="username" required value={login}
          onInput={(e) => setLogin((e.target as HTMLInputElement).value)} />
        <label for="password">{t('password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={pw}
          onInput={(e) => setPw((e.target as HTMLInputElement).value)} />
        {err && <p class="error" role="alert"><span aria-hidden="true">⚠ </span>{err}</p>}
        <button type="submit" class="primary" disabled={busy}>{t('signin_btn')}</button>
      </form>
    </main>
  );
}

function Header() {
  const m = me.use();
  const p = path.use();
  const nav = (to: string, label: string) => (
    <a href={to} aria-current={p.startsWith(to) || (to === '/pilotage' && p.startsWith('/campagnes')) ? 'page' : undefined}
      onClick={(e) => { e.preventDefault(); go(to); }}>{label}</a>
  );
  const logout = async () => {
    try { await post('/auth/logout', {}); } catch { /* the session ends anyway */ }
    setCsrf('');
    me.set(null);
    go('/');
  };
  return (
    <header class="top">
      <a class="skip" href="#main">{t('skip')}</a>
      <span class="brand">{t('app')}</span>
      {m && (
        <nav aria-label={t('app')}>
          {isHr(m) ? <>{nav('/pilotage', t('pilotage'))}{nav('/conformite', t('compliance_nav'))}{nav('/resultats', t('results'))}{nav('/echeances', t('deadlines_nav'))}{nav('/personnes', t('people_nav'))}{nav('/modeles', t('templates_nav'))}{isAdmin(m) && nav('/exploitation', t('ops_nav'))}</>
            : <>{nav('/me', t('my'))}{isManager(m) && nav('/team', t('team'))}{nav('/preferences', t('prefs'))}</>}
        </nav>
      )}
      <span class="spacer" />
      <button type="button" class="link" lang={lang.get() === 'fr' ? 'en' : 'fr'} aria-label={t('switch_lang_label')}
        onClick={() => setLang(lang.get() === 'fr' ? 'en' : 'fr')}>{t('switch_lang')}</button>
      {m && <button type="button" class="link" onClick={logout}>{t('signout')}</button>}
    </header>
  );
}

function App() {
  lang.use();
  const m = me.use();
  const p = path.use();
  useEffect(() => { loadMe(); }, []);
  useEffect(() => { document.title = `${t('app')}`; }, [p]);
  let page;
  if (m === undefined) page = <main id="main"><p>{t('loading')}</p></main>;
  else if (m === null) page = <Login />;
  else {
    const iv = /^\/interviews\/([A-Za-z0-9_-]+)\/?$/.exec(p);
    if (iv) page = <InterviewPage id={iv[1]} key={iv[1]} hr={isHr(m)} />;
    else if (p.startsWith('/team') && isManager(m)) page = <Team />;
    else if (p.startsWith('/preferences')) page = <Preferences manager={isManager(m)} />;
    // the HR pages are shown to whoever types their URL: the API's answer
    // decides (a refusal is the "not allowed" page), not the role; except the
    // deadline calendar, which the API scopes instead of refusing
    else if (p === '/pilotage') page = <Pilotage />;
    else if (p.startsWith('/pilotage/')) {
      const ent = decodeURIComponent(p.slice('/pilotage/'.length));
      page = <EntityPage key={ent} entity={ent} />;
    } else if (p === '/conformite') page = <Compliance />;
    else if (p.startsWith('/conformite/')) {
      const ent = decodeURIComponent(p.slice('/conformite/'.length));
      page = <RecapEntity key={ent} entity={ent} allowed={isHr(m)} />;
    } else if (p === '/resultats') page = <Results />;
    // the dead letters and the grants: the daemons answer administrators only
    else if (p === '/exploitation') page = <Operations allowed={isAdmin(m)} />;
    // creating needs HR or admin (the API decides too: the preview refuses others)
    else if (p === NEW_CAMPAIGN) page = <NewCampaign allowed={isHr(m)} />;
    else if (p.startsWith('/campagnes/')) {
      const id = decodeURIComponent(p.slice('/campagnes/'.length));
      page = <CampaignPage key={id} id={id} />;
    }
    else if (p === '/echeances') page = <Deadlines allowed={isHr(m)} />;
    // GET /employees answers anyone (herself, his reports): the role decides
    else if (p === '/personnes') page = <People allowed={isHr(m)} />;
    else if (p.startsWith('/personnes/')) {
      const id = decodeURIComponent(p.slice('/personnes/'.length));
      page = <PersonPage key={id} id={id} allowed={isHr(m)} />;
    }
    // GET /templates answers anyone signed in: the role decides
    else if (p === '/modeles') page = <Templates allowed={isHr(m)} />;
    else if (modelRoute(p)) {
      const r = modelRoute(p)!;
      page = <TemplatePage key={p} id={r.id} version={r.version} allowed={isHr(m)} />;
    }
    else if (p === '/' && landing(m) !== '/me') { go(landing(m)); page = null; }
    else page = <Home />;
  }
  return <>{<Header />}{page}</>;
}

{
  const p = location.pathname;
  const iv = /^\/interviews\/([A-Za-z0-9_-]+)\/?$/.exec(p);
  if (iv) prefetch('/interviews/' + iv[1]);
  else if (p.startsWith('/team')) prefetch(TEAM_PATH);
  else if (p.startsWith('/me')) prefetch(HOME_PATH);
  else if (p === '/pilotage') { prefetch(PILOT_COMPLIANCE); prefetch(PILOT_CAMPAIGNS); }
  else if (p === '/resultats') [...Object.values(resPaths()), ...Object.values(FOLLOWUP)].forEach(prefetch);
  else if (p === '/conformite') COMPLIANCE_PATHS.forEach(prefetch);
  else if (p === '/exploitation') OPS_PATHS.forEach(prefetch); // dropped unused for a non-admin
  else if (p.startsWith('/campagnes/') && p !== NEW_CAMPAIGN) Object.values(campaignPaths(decodeURIComponent(p.slice('/campagnes/'.length)))).forEach(prefetch);
  else if (p === '/echeances') prefetch(DUE_FIRST()); // dropped unused for a non-HR principal
  else if (p === '/personnes') prefetch(peoplePath(''));
  else if (p === '/modeles') prefetch(TEMPLATES_PATH);
  else if (modelRoute(p)) prefetch(templatePath(modelRoute(p)!.id, modelRoute(p)!.version));
  else if (p.startsWith('/personnes/')) Object.values(personPaths(decodeURIComponent(p.slice('/personnes/'.length)))).forEach(prefetch);
}
const root = document.getElementById('app')!;
root.textContent = ''; // the boot text of index.html
render(<App />, root);
