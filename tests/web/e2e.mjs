// The browser scenario of tests/integration/test_web.sh: Debian's chromium
// driven by playwright-core (from the web build's node_modules), axe-core
// injected into each page.  Environment: BASE (http://host:port), IV (an
// annual review of E1 under M1, planned), PW (the password of emma and
// marc), ART (screenshots), NODE_MODULES.  Exits non-zero on the first
// failed check, saying which.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit, check, fail, launch, step } from './lib.mjs';

const { BASE, IV, PW, ART } = process.env;
const NOTES = 'NOTE-PRIVEE-' + Math.random().toString(36).slice(2, 8);
const browser = await launch();

const cspErrors = [];
async function context(locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  ctx.on('page', (p) => watch(p));
  return ctx;
}
function watch(page) {
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text()); });
  page.on('pageerror', (e) => cspErrors.push('page error: ' + e.message));
}

// every API answer a page received, to look for what it must not hold
function record(page) {
  const seen = [];
  page.on('response', async (r) => {
    if (!r.url().includes('/api/v1/')) return;
    try { seen.push(r.url() + ' ' + (await r.text())); } catch { /* redirect or aborted */ }
  });
  return seen;
}

let clicks = 0;
const click = async (loc) => { clicks++; await loc.click(); };

async function signIn(page, login) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(PW);
  await click(page.locator('form button[type=submit]'));
}
const text = (page) => page.locator('body').innerText();
const saved = async (page) => page.locator('.savestate', { hasText: /^✔?\s*(Enregistré|Saved)$/ }).waitFor({ timeout: 15000 });

try {
  // ---------------------------------------------------------------- manager schedules (French)
  const cm = await context('fr-FR');
  const pm = await cm.newPage();
  await pm.goto(BASE + '/');
  await pm.locator('h1', { hasText: 'Connexion' }).waitFor();
  await audit(pm, 'signin-fr');
  clicks = 0;
  await signIn(pm, 'marc');
  await pm.locator('h1', { hasText: 'Mon équipe' }).waitFor();
  const row = pm.locator('li.row', { has: pm.locator(`a[href="/interviews/${IV}"]`) });
  await click(row.getByRole('button', { name: /^Planifier/ }));
  await row.getByLabel('Lieu').fill('Salle Rivoli, 3e étage');
  await click(row.getByRole('button', { name: 'Enregistrer' }));
  await row.locator('.state', { hasText: 'Planifié' }).waitFor();
  step(`manager scheduled ${IV} in ${clicks} clicks from sign-in`);
  check(clicks <= 4, `scheduling took ${clicks} clicks from sign-in (at most 4)`);
  await audit(pm, 'team-list-fr');
  await pm.getByRole('button', { name: 'Calendrier' }).click();
  await pm.locator('ol.month').waitFor();
  await audit(pm, 'team-calendar-fr');
  await pm.getByRole('button', { name: 'Liste' }).click();

  // ---------------------------------------------------------------- employee prepares (English, then French)
  const ce = await context('en-GB');
  const pe = await ce.newPage();
  const seenE = record(pe);
  await pe.goto(BASE + '/');
  await pe.locator('h1', { hasText: 'Sign in' }).waitFor();
  await signIn(pe, 'emma');
  await pe.locator('h1', { hasText: 'My interviews' }).waitFor();
  const next = pe.locator('section.next');
  await next.getByText('Salle Rivoli, 3e étage').waitFor();
  check(/Annual review/.test(await next.innerText()), 'the next interview does not say its type in English');
  await audit(pe, 'home-en');
  // the language is switched and remembered
  await pe.getByRole('button', { name: 'Passer en français' }).click();
  await pe.locator('h1', { hasText: 'Mes entretiens' }).waitFor();
  // one request for the first content: /me/interviews leaves with the page's
  // script, not after GET /me answered (events in the order they happened)
  const order = [];
  const onReq = (r) => { if (/\/api\/v1\/me(\/interviews)?(\?|$)/.test(r.url())) order.push('req ' + new URL(r.url()).pathname); };
  const onRes = (r) => { if (/\/api\/v1\/me(\?|$)/.test(r.url())) order.push('res /api/v1/me'); };
  pe.on('request', onReq);
  pe.on('response', onRes);
  await pe.reload();
  await pe.locator('h1', { hasText: 'Mes entretiens' }).waitFor();
  await pe.locator('#h-todo').waitFor();
  pe.off('request', onReq);
  pe.off('response', onRes);
  check(order.indexOf('req /api/v1/me/interviews') >= 0 && order.indexOf('req /api/v1/me/interviews') < order.indexOf('res /api/v1/me'),
    'the home page asked for its interviews only after /me answered: ' + order.join(', '));
  check(order.filter((o) => o === 'req /api/v1/me/interviews').length === 1, 'the home page asked for its interviews twice: ' + order.join(', '));
  check(/Entretien annuel d’évaluation/.test(await pe.locator('section.next').innerText()), 'French type name missing');
  // the deadlines' reasons are the scheduler's, in the page's language
  const reasons = async (l) => ((await (await pe.request.get(`${BASE}/api/v1/me/obligations?lang=${l}`)).json()).obligations || [])
    .map((o) => o.reason).filter(Boolean);
  const [fr, en] = [await reasons('fr'), await reasons('en')];
  check(fr.length > 0 && fr[0] !== en[0], 'the scheduler gave no French reason: ' + fr[0] + ' / ' + en[0]);
  await pe.getByText(fr[0].slice(0, 40)).first().waitFor();
  // her preferences: the language of her e-mails, her choice kept by the notifier
  await pe.getByRole('link', { name: 'Mes préférences' }).click();
  await pe.locator('h1', { hasText: 'Mes préférences' }).waitFor();
  await pe.getByRole('radio', { name: 'English', exact: true }).check();
  await pe.getByText('Enregistré').waitFor();
  const prefs = await (await pe.request.get(`${BASE}/api/v1/me/preferences`)).json();
  check(prefs.preferred_locale === 'en', 'the chosen e-mail language was not kept: ' + JSON.stringify(prefs));
  await audit(pe, 'preferences-fr');
  await pe.getByRole('link', { name: 'Mes entretiens' }).click();
  await pe.locator('h1', { hasText: 'Mes entretiens' }).waitFor();
  check(/\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} \S+ \d{4}/.test(await pe.locator('section.next').innerText()),
    'the next interview\'s date is not written as "lundi 12 janvier 2027"');
  await audit(pe, 'home-fr');
  await pe.getByRole('link', { name: 'Préparer' }).click();
  await pe.locator('#q-highlights').waitFor();
  await pe.locator('#q-highlights').fill('Lancement du portail client, livré en avance.');
  await saved(pe);
  await pe.locator('[role=radiogroup][aria-labelledby="q-engagement-l"] input[type=radio]').nth(2).check();
  await saved(pe);
  // a training need without its theme: records refuses it, said next to the field
  const tn = pe.locator('.question', { has: pe.locator('#q-training_needs-l') });
  await tn.getByRole('button', { name: 'Ajouter' }).click();
  await tn.locator('.error').waitFor({ timeout: 15000 });
  const why = await tn.locator('.error').innerText();
  step(`validation message beside the field: ${why}`);
  check(/#1 Thème : ./.test(why), `the refused training need says "${why}", not which row and field`);
  await tn.getByLabel('Thème').fill('Excel avancé');
  await saved(pe);
  check(await tn.locator('.error').count() === 0, 'the error stayed after the fix');
  // the session ends (signed out in another tab) while she writes: the text
  // stays in the page; signed in again, "Réessayer" saves it
  const other = await ce.newPage();
  await other.goto(BASE + '/me');
  await other.getByRole('button', { name: 'Se déconnecter' }).click();
  await other.locator('#login').waitFor();
  const late = 'Écrit après la fin de la session.';
  await pe.locator('#q-career_wishes').fill(late);
  await pe.getByText('Votre session a expiré').waitFor({ timeout: 15000 });
  check(await pe.locator('#q-career_wishes').inputValue() === late, 'the text was lost when the session ended');
  await signIn(other, 'emma');
  await other.locator('h1', { hasText: 'Mes entretiens' }).waitFor();
  await pe.getByRole('button', { name: 'Réessayer' }).click();
  await saved(pe);
  await other.close();
  await audit(pe, 'interview-employee-prepare-fr');
  await pe.getByRole('button', { name: 'Partager ma préparation' }).click();
  await pe.getByText('Préparation partagée').waitFor();

  // ---------------------------------------------------------------- manager fills the grid, holds
  await pm.goto(`${BASE}/interviews/${IV}`);
  await pm.locator('#q-manager_summary').waitFor();
  check((await text(pm)).includes('Lancement du portail client'), 'the manager does not see the shared preparation');
  await pm.locator('[aria-labelledby="q-overall-l"] input[type=radio]').nth(2).check();
  await saved(pm);
  const ob = pm.locator('.question', { has: pm.locator('#q-objectives-l') });
  await ob.getByRole('button', { name: 'Ajouter' }).click();
  await ob.getByLabel('Intitulé').fill('Réduire le délai de réponse à 48 h');
  await ob.getByLabel('Poids (%)').fill('60');
  await saved(pm);
  await pm.locator('#notes').fill(`${NOTES} : à revoir avec les RH`);
  await saved(pm);
  await pm.getByRole('button', { name: 'Marquer comme tenu' }).click();
  await pm.locator('.card .state', { hasText: 'Tenu' }).waitFor();

  // ---------------------------------------------------------------- two editors on the same grid
  const cm2 = await context('fr-FR');
  const pm2 = await cm2.newPage();
  await pm2.goto(`${BASE}/interviews/${IV}`);
  await signIn(pm2, 'marc');
  await pm2.locator('#q-manager_summary').waitFor();
  await pm.locator('#q-manager_summary').fill('Année solide (premier onglet).');
  await saved(pm);
  const mine = 'Très bonne année, objectifs tenus (second onglet).';
  await pm2.locator('#q-manager_summary').fill(mine);
  await pm2.getByText('Quelqu’un d’autre a modifié cet entretien').waitFor({ timeout: 15000 });
  check(await pm2.locator('#q-manager_summary').inputValue() === mine, 'the second editor lost her text on conflict');
  await audit(pm2, 'interview-conflict-fr');
  await pm2.getByRole('button', { name: 'Recharger et fusionner' }).click();
  await saved(pm2);
  check(await pm2.locator('#q-manager_summary').inputValue() === mine, 'reload and merge lost the text');
  step('conflict: said, text kept, merged');

  // ---------------------------------------------------------------- report
  await pm2.getByRole('button', { name: 'Valider le compte rendu' }).click();
  await pm2.locator('.card .state', { hasText: 'À signer' }).waitFor();
  check(await pm2.locator(`a[href="/api/v1/interviews/${IV}/report.pdf"]`).count() === 1, 'no PDF link on the reported interview');

  // ---------------------------------------------------------------- employee signs from the e-mail's link
  const ce2 = await context('fr-FR');
  const pe2 = await ce2.newPage();
  const seenE2 = record(pe2);
  clicks = 0;
  await pe2.goto(`${BASE}/interviews/${IV}`); // the link of the "please sign" e-mail
  await signIn(pe2, 'emma');
  await pe2.locator('#sign-comment').fill('Je ne partage pas l’appréciation du point 2.');
  await click(pe2.locator('section.sign button'));
  await pe2.getByText('Signé par le collaborateur').first().waitFor();
  step(`employee signed in ${clicks} clicks from the link`);
  check(clicks <= 3, `signing took ${clicks} clicks from the link (at most 3)`);
  check((await text(pe2)).includes('Très bonne année'), 'the employee does not see the report');
  await audit(pe2, 'interview-employee-signed-fr');

  // ---------------------------------------------------------------- manager signs
  await pm2.reload();
  await pm2.locator('section.sign button').click();
  await pm2.locator('.card .state', { hasText: 'Signé' }).first().waitFor();
  await audit(pm2, 'interview-closed-fr');
  await pe2.goto(BASE + '/me');
  await pe2.locator('h2', { hasText: 'Entretiens passés' }).waitFor();
  check(await pe2.locator(`a[href="/api/v1/interviews/${IV}/report.pdf"]`).count() >= 1, 'no PDF link on the signed interview');
  await audit(pe2, 'home-after-fr');
  await pe2.goto(`${BASE}/interviews/${IV}`);
  await pe2.locator('h1').waitFor();
  await pe2.waitForLoadState('networkidle');

  // ---------------------------------------------------------------- the employee never saw the private notes
  for (const [p, seen] of [[pe, seenE], [pe2, seenE2]]) {
    check(!(await text(p)).includes(NOTES), 'the employee\'s page shows the private notes');
    check(seen.length > 3, 'no API answer recorded for the employee');
    const leak = seen.find((s) => s.includes(NOTES) || /"manager_notes":"[^"]/.test(s));
    check(!leak, 'an API answer to the employee holds the private notes: ' + (leak || '').slice(0, 200));
  }
  check((await pm2.locator('#notes').inputValue()).includes(NOTES), 'the manager does not see her own notes (the check above would prove nothing)');
  // ---------------------------------------------------------------- the employee's copy (L6315-1) as a PDF
  // downloaded from her page's link, read back with pdftotext: the answers,
  // both sides' words, her comment and the digest of the signed content;
  // never the manager's private notes
  const dl = pe2.waitForEvent('download');
  await pe2.locator(`a[href="/api/v1/interviews/${IV}/report.pdf"]`).first().click();
  const pdfPath = join(ART, 'report-employee.pdf');
  await (await dl).saveAs(pdfPath);
  const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const view = await (await pe2.request.get(`${BASE}/api/v1/interviews/${IV}`)).json();
  const digest = view.report_digest || '';
  check(digest.length === 64, 'the signed view has no report digest: ' + JSON.stringify(view).slice(0, 200));
  for (const want of ['Lancement du portail client', 'Réduire le délai de réponse à 48 h', 'Excel avancé',
    'Je ne partage pas', 'Empreinte SHA-256', digest.slice(0, 32)])
    check(pdfText.includes(want), `the employee's PDF lacks "${want}"`);
  check(!pdfText.includes(NOTES), 'the employee\'s PDF holds the manager\'s private notes');
  step(`the employee's PDF holds the answers, her comment and the digest ${digest.slice(0, 12)}…, not the notes`);

  check(cspErrors.length === 0, 'browser errors: ' + cspErrors.join(' | '));
  step('scenario passed');
} catch (e) {
  console.error('FAIL: ' + (e && e.message ? e.message : e));
  for (const [i, ctx] of browser.contexts().entries())
    for (const [j, p] of ctx.pages().entries()) await p.screenshot({ path: join(ART, `failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
