// The HR pages' browser scenario (tests/integration/test_web_hr.sh):
// Debian's chromium driven by playwright-core.  HR signs in and lands on
// Pilotage; each page's figures are compared with the API's JSON (and the
// compliance totals with `entretiensctl stats compliance --json`, in
// EXPECT), each CSV export is downloaded and compared with the table's
// source; axe-core at 1280 and 375 px, screenshots; an employee and a
// manager typing the URLs get "not allowed", and the API refuses them; HR
// granted one entity is asked for it, and refused another.  A whole
// campaign: created from the page (population previewed), a late hire,
// progress by group, two interviews signed through the manager's and the
// employees' pages, the late ones reminded (read back from the SMTP
// server), closed.
// Environment: BASE, PW, ART, NODE_MODULES, EXPECT (the CLI's JSON),
// ENTITY (an entity with overdue people), DOWNLOADS, EMP (emma's employee id),
// CTL (entretiensctl), MAIL (the SMTP sink's messages), CE (the campaign's
// entity), CEMP1, CEMP2 (two reports of one manager there: cemp1, cemp2, cmgr).
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit as auditAs, check, launch, step } from './lib.mjs';

const { BASE, PW, ART, EXPECT, ENTITY, DOWNLOADS, EMP, CTL, MAIL, CE, CEMP1, CEMP2 } = process.env;
mkdirSync(DOWNLOADS, { recursive: true });
const expect = (name) => JSON.parse(readFileSync(join(EXPECT, name + '.json'), 'utf8'));
const eq = (a, b, m) => check(JSON.stringify(a) === JSON.stringify(b), `${m}: page ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
const browser = await launch({ downloadsPath: DOWNLOADS });
const errors = [];
async function newPage(locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  return page;
}

const audit = (page, name) => auditAs(page, 'hr-' + name);

async function signIn(page, login) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(PW);
  await page.locator('form button[type=submit]').click();
}
// the API's own answer, with the page's session
const api = async (page, path) => {
  const r = await page.request.get(BASE + '/api/v1' + path);
  check(r.ok(), `GET ${path}: ${r.status()}`);
  return r.json();
};
// One round trip for a page's first content: on a reload, each of the
// page's requests (paths) leaves with the script, before GET /me answered,
// and once.
async function firstContent(page, name, paths, shown) {
  const order = [];
  const onReq = (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/v1/')) order.push('req ' + u.pathname); };
  const onRes = (r) => { if (new URL(r.url()).pathname === '/api/v1/me') order.push('res /api/v1/me'); };
  page.on('request', onReq); page.on('response', onRes);
  await page.reload();
  await page.locator(shown).first().waitFor();
  await page.waitForLoadState('networkidle');
  page.off('request', onReq); page.off('response', onRes);
  for (const p of paths) {
    const i = order.indexOf('req ' + p);
    check(i >= 0 && i < order.indexOf('res /api/v1/me'), `${name} asked for ${p} after /me answered: ` + order.join(', '));
    eq(order.filter((o) => o === 'req ' + p).length, 1, `${name}: requests for ${p} on load`);
  }
}
// a table's cells as text, rows of the body (and the foot)
const cells = (page, id, part = 'tbody') => page.locator(`#${id} ${part} tr`).evaluateAll(
  (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
const num = (s) => Number(String(s).replace(/[^\d-]/g, '') || 0);
// a CSV export: the button's download, parsed (RFC 4180)
async function csv(page, id) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`button[data-csv="${id}"]`).click()]);
  const text = readFileSync(await dl.path(), 'utf8');
  check(text.startsWith('\ufeff'), `${id}: the CSV has no BOM`);
  const rows = [];
  let row = [], f = '', q = false;
  const s = text.slice(1);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) { if (c === '"' && s[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c; }
    else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; }
    else if (c === '\r') { /* CRLF */ }
    else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
    else f += c;
  }
  return { name: dl.suggestedFilename(), rows };
}
const byHeader = (rows) => rows.slice(1).map((r) => Object.fromEntries(rows[0].map((h, i) => [h, r[i]])));

// ---- the legal and operations views (issue 14): the recap (Conformité)
// against the CLI, its CSV and PDF; the calendar link of Échéances and its
// feed; Résultats' managers' late items and signals; Exploitation (dead
// letters, grants) for an administrator; the refusals.
async function pdfText(page, href, name) {
  const r = await page.request.get(BASE + href);
  eq(r.status(), 200, `GET ${href}`);
  check(/application\/pdf/.test(r.headers()['content-type'] || ''), `${href}: not a PDF: ${r.headers()['content-type']}`);
  const body = await r.body();
  eq(body.subarray(0, 4).toString('latin1'), '%PDF', `${href}: the first bytes`);
  const file = join(DOWNLOADS, name);
  writeFileSync(file, body);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

async function legalViews(page) {
  step('Conformité: the recap by entity equals the CLI; its CSV; the PDF for the social partners');
  await page.locator('header nav a', { hasText: 'Conformité' }).click();
  await page.waitForURL(/\/conformite$/);
  await page.locator('#t-recap tfoot').waitFor();
  await firstContent(page, 'Conformité', ['/api/v1/statistics/completion', '/api/v1/statistics/compliance'], '#t-recap tfoot');
  const rec = expect('recaps'), cli = expect('compliance');
  const n0 = (x) => x || 0;
  // columns: entity, due, met, upcoming, overdue, lapsed, top-ups owed, owed €, at risk, at risk €
  const foot = (await cells(page, 't-recap', 'tfoot'))[0];
  eq(foot.slice(1).map(num), [n0(rec.total.owed), n0(rec.total.met), n0(rec.total.upcoming), n0(rec.total.overdue), n0(rec.total.lapsed),
    n0(cli.total.owed_count), n0(cli.total.owed_eur), n0(cli.total.at_risk), n0(cli.total.exposure_eur)], 'the recap totals (stats completion --type professional_recap, stats compliance)');
  check(rec.total.owed > 0, 'no recap deadline in the organisation: ' + JSON.stringify(rec.total));
  const entities = [...new Set([...rec.groups.map((g) => g.group), ...cli.groups.map((g) => g.group)])].sort((a, b) => a.localeCompare(b));
  const body = await cells(page, 't-recap');
  eq(body.map((r) => r[0]), entities, 'the recap\'s entities');
  for (const r of body) {
    const g = rec.groups.find((x) => x.group === r[0]) || {}, x = cli.groups.find((y) => y.group === r[0]) || {};
    eq(r.slice(1).map(num), [n0(g.owed), n0(g.met), n0(g.upcoming), n0(g.overdue), n0(g.lapsed), n0(x.owed_count), n0(x.owed_eur), n0(x.at_risk), n0(x.exposure_eur)], `the recap of ${r[0]}`);
  }
  const rc = await csv(page, 't-recap');
  eq(rc.name, 'etat-des-lieux-recapitulatif.csv', 'the recap CSV\'s name');
  eq(rc.rows[0], ['entity', 'owed', 'met', 'upcoming', 'overdue', 'lapsed', 'top_ups_owed', 'top_ups_owed_eur', 'top_ups_at_risk', 'top_ups_at_risk_eur'], 'the recap CSV\'s header');
  eq(rc.rows.slice(1).map((r) => [r[0], ...r.slice(1).map(Number)]), [...body, foot].map((r) => [r[0] === 'Total' ? '' : r[0], ...r.slice(1).map(num)]), 'the recap CSV equals the table');
  const href = await page.locator('#recap-pdf').getAttribute('href');
  const text = await pdfText(page, href, 'recap.pdf');
  check(text.includes('État des lieux récapitulatif'), 'the recap PDF\'s title: ' + text.slice(0, 200));
  for (const e of entities) check(text.includes(e), `the recap PDF does not name ${e}`);
  check(text.includes(`${n0(rec.total.owed)} récapitulatifs dus`), 'the recap PDF\'s total: ' + text.slice(0, 600));
  await audit(page, 'compliance');

  // the people behind an entity's figures: its recap deadlines, with rule and reason
  const ent = body.find((r) => num(r[1]) > 0)[0];
  await page.locator('#t-recap a', { hasText: new RegExp(`^${ent}$`) }).click();
  await page.waitForURL(new RegExp(`/conformite/${ent}$`));
  await page.locator('#t-recap-people').waitFor();
  const to = new Date(); to.setFullYear(to.getFullYear() + 9);
  const dueApi = await api(page, `/due?entity=${ent}&type=professional_recap&from=1970-01-01&to=${to.toISOString().slice(0, 10)}&limit=1000&lang=fr`);
  eq(num(await page.locator('[data-total]').innerText()), dueApi.total || 0, `${ent}: the recap deadlines still to hold`);
  const prow = await cells(page, 't-recap-people');
  eq(prow.filter((r) => r.length > 1).map((r) => r[0].split('\n').pop()), (dueApi.obligations || []).map((o) => o.employee_id), `${ent}: the people`);
  check(prow.filter((r) => r.length > 1).every((r) => r[4] && r[5].length > 10), `${ent}: a recap without its rule or reason`);
  const pc = byHeader((await csv(page, 't-recap-people')).rows);
  eq(pc.map((r) => [r.employee_id, r.due_date, r.rule, r.reason]), (dueApi.obligations || []).map((o) => [o.employee_id, o.due_date, o.rule, o.reason]), `${ent}: the people CSV`);
  // the met ones too, when asked
  const withMet = await api(page, `/due?entity=${ent}&type=professional_recap&from=1970-01-01&to=${to.toISOString().slice(0, 10)}&include_met=true&limit=1000&lang=fr`);
  await Promise.all([page.waitForResponse((r) => r.url().includes('include_met=true')), page.locator('#f-met').check()]);
  await page.waitForFunction((n) => document.querySelector('[data-total]')?.textContent.replace(/\D/g, '') === String(n), withMet.total || 0);
  const one = await pdfText(page, await page.locator('#recap-pdf').getAttribute('href'), 'recap-entity.pdf');
  check(one.includes(ent) && !entities.filter((e) => e !== ent).some((e) => one.includes(`${e} `)), `the PDF of ${ent} names another entity`);
  await audit(page, 'compliance-entity');

  step('Échéances: the subscribable calendar link; its feed answers, then revoked');
  await page.locator('header nav a', { hasText: 'Échéances' }).click();
  await page.locator('#cal-create').click();
  const url = await page.locator('#cal-url').inputValue();
  check(/^https?:\/\/.+\/api\/v1\/calendar\/[^/]+\.ics$/.test(url), 'the calendar link: ' + url);
  check((await page.locator('#cal-once').innerText()).includes('qu’une fois'), 'the link is not said to be shown once');
  await audit(page, 'calendar-link');
  // read as a calendar application would: no cookie
  const feed = await fetch(url);
  eq(feed.status, 200, 'the feed');
  const ics = await feed.text();
  check(ics.startsWith('BEGIN:VCALENDAR'), 'the feed is not iCalendar: ' + ics.slice(0, 80));
  writeFileSync(join(DOWNLOADS, 'feed.ics'), ics);
  await page.locator('#cal-revoke').click();
  await page.locator('[role=status]', { hasText: 'révoqués' }).waitFor();
  eq((await fetch(url)).status, 404, 'the feed after "Révoquer"');
  // a second link for the shell's parse (test_web_hr.sh reads feed.ics)
  await page.locator('#cal-create').click();
  writeFileSync(join(DOWNLOADS, 'feed.ics'), await (await fetch(await page.locator('#cal-url').inputValue())).text());

  step('Résultats: managers\' late items and signals equal the CLI; their CSVs');
  await page.locator('header nav a', { hasText: 'Résultats' }).click();
  await page.locator('#t-managers tfoot').waitFor();
  await page.locator('#t-signals').waitFor();
  const mg = expect('managers');
  const mfoot = (await cells(page, 't-managers', 'tfoot'))[0];
  eq(mfoot.slice(1).map(num), [n0(mg.total.overdue), n0(mg.total.awaiting_signature), n0(mg.total.awaiting_employee_signature), n0(mg.total.upcoming)], 'the managers\' totals');
  eq((await cells(page, 't-managers')).map((r) => r[0]), mg.managers.map((m) => m.manager_id), 'the managers, most late first');
  const mcsv = byHeader((await csv(page, 't-managers')).rows);
  eq(mcsv.map((r) => [r.manager_id, Number(r.overdue), Number(r.awaiting_signature)]),
    [...mg.managers, { ...mg.total, manager_id: '' }].map((m) => [m.manager_id, n0(m.overdue), n0(m.awaiting_signature)]), 'the managers CSV');
  check(await page.locator('section[aria-labelledby=h-managers] figure svg rect').count() > 0, 'no managers chart');
  const sg = expect('signals');
  const kinds = ['low_engagement', 'wish_to_leave', 'no_interview', 'repeated_overdue'];
  eq((await cells(page, 't-signal-counts')).map((r) => num(r[1])), kinds.map((k) => n0(sg.counts[k])), 'the signals by kind');
  eq(byHeader((await csv(page, 't-signal-counts')).rows).map((r) => [r.kind, Number(r.count)]), kinds.map((k) => [k, n0(sg.counts[k])]), 'the signals CSV');
  eq((await cells(page, 't-signals')).filter((r) => r.length > 1).length, (sg.flagged || []).length, 'the people flagged');
  eq(byHeader((await csv(page, 't-signals')).rows).map((r) => r.employee_id), (sg.flagged || []).map((f) => f.employee_id), 'the people flagged CSV');
  check(/groupe minimal/.test(await page.locator('section[aria-labelledby=h-signals]').innerText()), 'the minimum-group rule is not said by the signals');
  await audit(page, 'results-followup');
}

// Exploitation: an administrator reads the dead letters (as the CLI lists
// them) and the grants; HR has no link and the API refuses HR
async function adminOperations() {
  step('Exploitation: an administrator reads the HRIS dead letters and the grants');
  const p = await newPage('fr-FR');
  await p.goto(BASE + '/exploitation');
  await signIn(p, 'root');
  await p.locator('#t-dead tbody tr').first().waitFor();
  check((await p.locator('header nav a').allInnerTexts()).includes('Exploitation'), 'no Exploitation link for an administrator');
  await firstContent(p, 'Exploitation', ['/api/v1/ingest/dead-letters', '/api/v1/access-grants'], '#t-grants');
  const dl = expect('deadletters');
  eq(num(await p.locator('[data-total]').innerText()), dl.length, 'the dead letters in total');
  const rows = await cells(p, 't-dead');
  eq(rows.map((r) => num(r[0])), dl.slice(0, 100).map((d) => d.id), 'the dead letters listed');
  const bad = dl.find((d) => d.event?.event_id === 'dl-2');
  check(bad, 'no dead letter dl-2');
  const row = rows.find((r) => r[4].startsWith('dl-2'));
  check(row && row[7] === bad.field && row[8] === bad.reason, 'dl-2: the field and reason: ' + JSON.stringify(row));
  const dcsv = byHeader((await csv(p, 't-dead')).rows);
  eq(dcsv.map((r) => [Number(r.id), r.event_id, r.field, r.reason]), dl.slice(0, 100).map((d) => [d.id, d.event?.event_id, d.field, d.reason]), 'the dead letters CSV');
  const gr = await cells(p, 't-grants');
  for (const who of ['hr:it', 'hr:lab']) check(gr.some((r) => r[0] === who), `the grants lack ${who}`);
  eq(gr.find((r) => r[0] === 'hr:lab')[1], 'ACME-LAB', 'hr:lab\'s entities');
  await audit(p, 'operations');
  // dl-1 resubmitted with nothing fixed (its entity still unknown): refused again, said with the field
  const one = dl.find((d) => d.event?.event_id === 'dl-1');
  await p.locator('#f-dead-id').selectOption(String(one.id));
  await p.locator('#dead-resubmit button[type=submit]').click();
  await p.locator('#dead-resubmit-result').waitFor();
  check(/Refusée de nouveau : lettre \d+ : entity — /.test(await p.locator('#dead-resubmit-result').innerText()),
    'the refusal of a resubmitted letter: ' + await p.locator('#dead-resubmit-result').innerText());
  const after = (await api(p, '/ingest/dead-letters?limit=1000')).letters || [];
  check(!after.some((d) => d.id === one.id) && after.some((d) => d.event?.event_id === 'dl-1' && d.id > one.id),
    'dl-1 is not held by a new letter: ' + JSON.stringify(after.map((d) => [d.id, d.event?.event_id])));
  eq(await p.locator('#t-dead tbody tr').evaluateAll((trs, id) => trs.filter((tr) => tr.cells[0].innerText.trim() === String(id)).length, one.id), 0,
    'the resubmitted letter still listed');
  await audit(p, 'operations-resubmit');
  // a grant given to a new HR principal, then taken back, each confirmed; the API's list follows
  await p.locator('#f-gr-who').fill('hr:nouvelle');
  await p.locator('#f-gr-ents').fill('ACME-LAB, ACME-FR');
  await p.locator('#f-gr-content').check();
  await p.locator('#grant-form button[type=submit]').click();
  await p.locator('#gr-confirm-q').waitFor();
  check((await p.locator('#gr-confirm-q').innerText()).includes('hr:nouvelle'), 'the confirmation does not name the principal');
  await p.locator('#grant-form button', { hasText: 'Confirmer' }).click();
  await p.locator('#grant-result .ok').waitFor();
  const given = ((await api(p, '/access-grants')).grants || []).find((g) => g.principal === 'hr:nouvelle');
  eq([given?.entities, !!given?.content, given?.granted_by], [['ACME-LAB', 'ACME-FR'], true, 'admin:root'], 'the grant given (API)');
  await p.locator('#t-grants tbody tr', { hasText: 'hr:nouvelle' }).waitFor();
  await audit(p, 'operations-grant');
  await p.locator('#grant-form input[value=revoke]').check();
  await p.locator('#f-gr-gone').selectOption('hr:nouvelle');
  await p.locator('#grant-form button[type=submit]').click();
  await p.locator('#grant-form button', { hasText: 'Confirmer' }).click();
  await p.locator('#grant-result .ok').waitFor();
  check(!((await api(p, '/access-grants')).grants || []).some((g) => g.principal === 'hr:nouvelle'), 'the grant was not taken back (API)');
  await p.locator('#t-grants tbody tr', { hasText: 'hr:nouvelle' }).waitFor({ state: 'detached' });
  // a grant for someone who is not HR: records' refusal said in words
  await p.locator('#grant-form input[value=grant]').check();
  await p.locator('#f-gr-who').fill('hr:x');
  await p.evaluate(() => { const i = document.querySelector('#f-gr-who'); i.removeAttribute('pattern'); });
  await p.locator('#f-gr-who').fill('manager:M1');
  await p.locator('#f-gr-ents').fill('ACME-LAB');
  await p.locator('#grant-form button[type=submit]').click();
  await p.locator('#grant-form button', { hasText: 'Confirmer' }).click();
  await p.locator('#grant-result .error').waitFor();
  check((await p.locator('#grant-result').innerText()).includes('principal'), 'the refusal names the field: ' + await p.locator('#grant-result').innerText());
  await p.context().close();
  // HR: no link; the API refuses the dead letters and the grants
  const h = await newPage('fr-FR');
  await h.goto(BASE + '/exploitation');
  await signIn(h, 'rh');
  await h.locator('h1', { hasText: 'Accès refusé' }).waitFor();
  check(!(await h.locator('header nav a').allInnerTexts()).includes('Exploitation'), 'HR sees the Exploitation link');
  for (const path of ['/ingest/dead-letters', '/access-grants']) eq((await h.request.get(BASE + '/api/v1' + path)).status(), 403, `HR: GET ${path}`);
  {
    const csrf = (await api(h, '/me')).csrf_token;
    const r = await h.request.post(BASE + '/api/v1/ingest/dead-letters/resubmit', { headers: { 'X-CSRF-Token': csrf }, data: { id: dl[0].id } });
    eq(r.status(), 403, 'HR: POST /ingest/dead-letters/resubmit');
    const g = await h.request.post(BASE + '/api/v1/access-grants', { headers: { 'X-CSRF-Token': csrf },
      data: { principal: 'hr:it', entities: ['*'], content: true } });
    eq(g.status(), 403, 'HR: POST /access-grants (granting itself every entity)');
    const d = await h.request.delete(BASE + '/api/v1/access-grants/hr:lab', { headers: { 'X-CSRF-Token': csrf } });
    eq(d.status(), 403, 'HR: DELETE /access-grants/hr:lab');
  }
  await h.context().close();
}

// an employee or a manager: no Conformité or Exploitation link; the recap
// PDF, the dead letters and the grants are refused by the API
async function refusedLegal(p, who) {
  const nav = await p.locator('header nav').innerText();
  check(!nav.includes('Conformité') && !nav.includes('Exploitation'), `${who} sees the Conformité or Exploitation link`);
  for (const path of ['/conformite', '/conformite/ACME-LAB', '/exploitation']) {
    await p.goto(BASE + path);
    await p.locator('h1', { hasText: 'Accès refusé' }).waitFor();
  }
  for (const path of ['/compliance/recap.pdf', '/compliance/recap.pdf?entity=ACME-LAB', '/ingest/dead-letters', '/access-grants',
    '/statistics/managers', '/statistics/signals']) {
    const r = await p.request.get(BASE + '/api/v1' + path);
    // a manager may read his own team's figures (analytics.managers with his id), never the organisation's
    eq(r.status(), 403, `${who}: GET ${path}`);
  }
}

try {
  // ---- HR: sign in, land on Pilotage; its first content leaves with the script
  step('HR signs in');
  const page = await newPage('fr-FR');
  await page.goto(BASE + '/');
  await signIn(page, 'rh');
  await page.waitForURL(/\/pilotage$/);
  await page.locator('#t-exposure tfoot').waitFor();
  const nav = await page.locator('header nav a').allInnerTexts();
  eq(nav, ['Pilotage', 'Conformité', 'Résultats', 'Échéances', 'Personnes', 'Modèles'], 'the HR navigation');

  step('Pilotage: one request for the first content (a reload)');
  await firstContent(page, 'Pilotage', ['/api/v1/statistics/compliance', '/api/v1/campaigns'], '#t-campaigns');

  step('Pilotage: the totals equal `entretiensctl stats compliance --json`');
  const cli = expect('compliance');
  const foot = (await cells(page, 't-exposure', 'tfoot'))[0];
  // columns: entity, employees, up to date, due soon, overdue, at risk, exposure €, owed count, owed €
  eq(foot.slice(1, 9).map(num), [cli.total.employees, cli.total.up_to_date, cli.total.due_soon, cli.total.overdue,
    cli.total.at_risk || 0, cli.total.exposure_eur || 0, cli.total.owed_count || 0, cli.total.owed_eur || 0], 'the exposure totals');
  eq(num(await page.locator('[data-kpi=overdue]').innerText()), cli.total.overdue, 'the overdue figure');
  const body = await cells(page, 't-exposure');
  eq(body.map((r) => [r[0], num(r[1]), num(r[4])]), cli.groups.map((g) => [g.group, g.employees || 0, g.overdue || 0]), 'the rows by entity');
  const ex = await csv(page, 't-exposure');
  eq(ex.name, 'exposition-entites.csv', 'the CSV name');
  const exRows = byHeader(ex.rows);
  eq(exRows.map((r) => [r.entity, Number(r.employees), Number(r.overdue || 0), Number(r.owed_eur || 0)]),
    [...cli.groups, { ...cli.total, group: '' }].map((g) => [g.group, g.employees || 0, g.overdue || 0, g.owed_eur || 0]), 'the exposure CSV');

  step('Pilotage: the campaigns and their progress');
  const camps = (await api(page, '/campaigns')).campaigns;
  const camp = camps.find((c) => c.id === 'review-2026');
  check(camp && camp.met > 0, 'no review-2026 with interviews done: ' + JSON.stringify(camps));
  const crow = (await cells(page, 't-campaigns')).find((r) => r[0].includes('review-2026'));
  check(crow, 'review-2026 is not in the campaigns table');
  eq([num(crow[5]), num(crow[6]), num(crow[7])], [camp.eligible, camp.met, camp.upcoming || 0], 'review-2026: eligible, done, upcoming');
  const cc = byHeader((await csv(page, 't-campaigns')).rows).find((r) => r.id === 'review-2026');
  eq([Number(cc.eligible), Number(cc.met)], [camp.eligible, camp.met], 'the campaigns CSV');
  await audit(page, 'pilotage');

  step(`Pilotage: drill down to ${ENTITY}`);
  await page.locator('#t-exposure a', { hasText: new RegExp(`^${ENTITY}$`) }).click();
  await page.waitForURL(new RegExp(`/pilotage/${ENTITY}$`));
  await page.locator('#t-people tbody tr').first().waitFor();
  const list = expect('entity').employees.filter((e) => e.status === 'overdue' || e.status === 'due_soon');
  const people = await cells(page, 't-people');
  eq(people.length, list.length, `the people of ${ENTITY} (overdue and due soon)`);
  eq(people.map((r) => r[0].split('\n').pop()), list.map((e) => e.employee_id), 'the people, in deadline order');
  eq(await page.locator('#t-people tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    list.map((e) => '/personnes/' + e.employee_id), 'the links to each person\'s page');
  // each one's rule and the scheduler's reason (from /due)
  await page.waitForFunction(() => [...document.querySelectorAll('#t-people tbody tr')].every((tr) => tr.lastElementChild.innerText.trim() !== 'Chargement…'));
  const withReason = (await cells(page, 't-people')).filter((r) => r[6] && r[5]);
  check(withReason.length === people.length, `${people.length - withReason.length} of ${people.length} people without their rule and reason`);
  check(/Code du travail|L6315/.test(withReason[0][6]), 'the reason does not say the law: ' + withReason[0][6]);
  const pcsv = byHeader((await csv(page, 't-people')).rows);
  eq(pcsv.map((r) => r.employee_id), list.map((e) => e.employee_id), 'the people CSV');
  check(pcsv.every((r) => r.reason.length > 10 && r.rule.length > 0), 'the people CSV lacks rules or reasons');
  // another status: the top-ups at risk
  await Promise.all([page.waitForResponse((r) => r.url().includes('status=at_risk')), page.locator('#f-status').selectOption('at_risk')]);
  await page.locator('#t-people').waitFor();
  const risk = await api(page, `/statistics/compliance?entity=${ENTITY}&list=true&status=at_risk&limit=1000`);
  await page.waitForFunction((n) => document.querySelectorAll('#t-people tbody tr').length === Math.max(n, 1), (risk.employees || []).length);
  await page.locator('#f-status').selectOption('');
  await page.locator('#t-people tbody tr').nth(list.length - 1).waitFor();
  await audit(page, 'entity');

  step('Résultats: completion by month, ratings, training, mobility');
  await page.locator('header nav a', { hasText: 'Résultats' }).click();
  await page.waitForURL(/\/resultats$/);
  await page.locator('#t-completion tfoot').waitFor();
  await page.locator('#t-mobility').waitFor();
  await firstContent(page, 'Résultats', ['completion', 'ratings', 'training', 'mobility'].map((x) => '/api/v1/statistics/' + x), '#t-mobility');
  const from = await page.locator('#p-from').inputValue();
  const to = await page.locator('#p-to').inputValue();
  const comp = await api(page, `/statistics/completion?group_by=month&from=${from}-01&to=${to}-01`);
  const cfoot = (await cells(page, 't-completion', 'tfoot'))[0];
  eq([num(cfoot[1]), num(cfoot[2]), num(cfoot[4])], [comp.total.owed || 0, comp.total.met || 0, comp.total.overdue || 0], 'completion totals');
  eq((await cells(page, 't-completion')).length, comp.groups.length, 'completion: one row per month');
  const ccsv = byHeader((await csv(page, 't-completion')).rows);
  eq(ccsv.slice(0, -1).map((r) => [r.month, Number(r.owed || 0), Number(r.met || 0)]),
    comp.groups.slice().sort((a, b) => a.group.localeCompare(b.group)).map((g) => [g.group, g.owed || 0, g.met || 0]), 'the completion CSV');
  const q = `from=${from}-01&to=${to}-01`;
  const rat = await api(page, '/statistics/ratings?' + q);
  check(rat.total.respondents >= 5 && !rat.total.suppressed, 'the ratings are suppressed: ' + JSON.stringify(rat.total));
  const rrows = await cells(page, 't-ratings');
  eq(rrows.map((r) => [r[1], num(r[3])]), rat.total.ratings.map((r) => [r.question_id, r.count]), 'the ratings table');
  const eng = rat.total.ratings.find((r) => r.question_id === 'engagement');
  const rcsv = byHeader((await csv(page, 't-ratings')).rows).find((r) => r.question_id === 'engagement');
  eq(rcsv.histogram, eng.histogram.map((c, i) => `${eng.scale_min + i}: ${c}`).join(' · '), 'the engagement histogram in the CSV');
  const tr = await api(page, '/statistics/training?' + q);
  const tcsv = byHeader((await csv(page, 't-training')).rows);
  eq(tcsv.map((r) => [r.theme, r.priority, r.modality, Number(r.count)]),
    tr.total.training.map((x) => [x.theme, x.priority, x.modality, x.count]), 'the training CSV (a theme with a comma and quotes)');
  eq((await cells(page, 't-training')).map((r) => r[0]), tr.total.training.map((x) => x.theme), 'the training table');
  const mob = await api(page, '/statistics/mobility?' + q);
  eq(num(await page.locator('#h-mobility + p strong, section[aria-labelledby=h-mobility] p strong').first().innerText()), mob.total.wish_to_leave, 'wish to leave');
  eq((await cells(page, 't-mobility')).map((r) => num(r[2])), mob.total.mobility.map((x) => x.count), 'the mobility table');
  await audit(page, 'results');
  // the minimum-group rule: a period with no interview held says so, shows no figure
  await page.locator('#p-from').fill('2000-01');
  await page.locator('#p-to').fill('2000-12');
  await page.locator('form.filters button[type=submit]').click();
  await page.locator('[data-suppressed]').first().waitFor();
  eq(await page.locator('#t-ratings').count(), 0, 'a ratings table for fewer than 5 answers');
  check(/Moins de 5 réponses/.test(await page.locator('[data-suppressed]').first().innerText()), 'the minimum-group rule is not said');
  await audit(page, 'results-suppressed');

  step('Échéances: the organisation\'s deadlines, actionable ones, filters');
  await page.locator('header nav a', { hasText: 'Échéances' }).click();
  await page.waitForURL(/\/echeances$/);
  await page.locator('#t-due tbody tr').first().waitFor();
  await firstContent(page, 'Échéances', ['/api/v1/due'], '#t-due tbody tr');
  const dto = await page.locator('#f-to').inputValue();
  const due = await api(page, `/due?from=1970-01-01&to=${dto}&limit=500&lang=fr`);
  eq(num(await page.locator('[data-total]').innerText()), due.total, 'the deadlines total');
  const actionable = due.obligations.filter((o) => o.actionable !== false && (o.status === 'upcoming' || o.status === 'overdue'));
  eq(num(await page.locator('[data-shown]').innerText()), actionable.length, 'the actionable deadlines shown');
  await page.locator('#f-type').selectOption('professional');
  await page.locator('#f-entity').fill(ENTITY);
  await Promise.all([page.waitForResponse((r) => r.url().includes('type=professional')),
    page.locator('form.filters button[type=submit]').click()]);
  await page.waitForFunction(() => document.querySelector('#t-due tbody tr td:nth-child(2)')?.innerText.includes('professionnel'));
  const pro = await api(page, `/due?from=1970-01-01&to=${dto}&type=professional&entity=${ENTITY}&limit=500&lang=fr`);
  const prows = await cells(page, 't-due');
  check(prows.length > 0 && prows.every((r) => r[1] === 'Entretien professionnel' && r[3] === ENTITY), 'the filtered deadlines: ' + JSON.stringify(prows.slice(0, 3)));
  const dcsv = byHeader((await csv(page, 't-due')).rows);
  eq(dcsv.map((r) => r.obligation_id || r.employee_id + r.due_date),
    pro.obligations.filter((o) => o.actionable !== false && ['upcoming', 'overdue'].includes(o.status)).map((o) => o.employee_id + o.due_date), 'the deadlines CSV');
  check(dcsv.every((r) => r.type === 'professional' && r.entity === ENTITY && r.reason), 'the deadlines CSV: type, entity, reason');
  await page.locator('#f-all').check();
  await page.waitForFunction((n) => document.querySelectorAll('#t-due tbody tr').length === n, pro.obligations.length);
  await audit(page, 'deadlines');
  await legalViews(page);
  await adminOperations();


  // ---- campaign actions on Pilotage: extend, a refused extension, close,
  // a cancel thought better of then confirmed, a cancel refused because the
  // campaign was closed behind the page's back
  step('Pilotage: extend, close, cancel campaigns (confirmed; refusals said)');
  await page.locator('header nav a', { hasText: 'Pilotage' }).click();
  await page.locator('#camp-actions').waitFor();
  const campaign = async (id) => (await api(page, '/campaigns/' + id));
  const campOf = (c) => (c.campaigns ? c.campaigns[0] : c); // GET /campaigns/{id}: {campaigns: [it]}
  const result = page.locator('#camp-result p');
  async function campAct(id, action, opts = {}) {
    await page.locator('#f-camp').selectOption(id);
    await page.locator(`input[name=camp-action][value=${action}]`).check();
    if (opts.end) await page.locator('#f-camp-end').fill(opts.end);
    await page.locator('#f-camp-note').fill(opts.note || '');
    await page.locator('#camp-actions button[type=submit]').click();
    // the confirmation names the campaign and takes the focus
    await page.locator('#camp-confirm-q').waitFor();
    check((await page.locator('#camp-confirm-q').innerText()).includes(id), `the confirmation does not name ${id}`);
    await page.waitForFunction(() => document.activeElement?.textContent === 'Confirmer'); // the focus on "Confirmer"
    if (opts.keep) {
      await page.keyboard.press('Escape'); // "Ne rien faire" from the keyboard
      await page.locator('#camp-confirm-q').waitFor({ state: 'detached' });
      await page.locator('#camp-actions button[type=submit]').waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'submit'); // the focus back on the action
      return null;
    }
    if (opts.audit) await audit(page, 'campaign-confirm');
    await page.keyboard.press('Enter'); // keyboard: the focused "Confirmer"
    await page.locator('#camp-confirm-q').waitFor({ state: 'detached' });
    await result.waitFor();
    return { ok: (await result.getAttribute('class')) === 'ok', text: await result.innerText() };
  }
  let r1 = await campAct('lab-2026', 'extend', { end: '2026-11-30', note: 'congés', audit: true });
  check(r1.ok && /prolongée jusqu’au 30\/11\/2026/.test(r1.text), 'extend: ' + JSON.stringify(r1));
  let c1 = campOf(await campaign('lab-2026'));
  eq([c1.window_end, c1.note, c1.state || 'open'], ['2026-11-30', 'congés', 'open'], 'lab-2026 after the extension (API)');
  check((await cells(page, 't-campaigns')).find((r) => r[0].includes('lab-2026'))[3] === '30/11/2026', 'the table does not show the new end');
  r1 = await campAct('lab-2026', 'extend', { end: '2026-11-01' });
  check(!r1.ok && /after the current one/.test(r1.text) && /Refusé/.test(r1.text), 'an earlier end is not refused in words: ' + JSON.stringify(r1));
  eq(campOf(await campaign('lab-2026')).window_end, '2026-11-30', 'lab-2026 after the refused extension (API)');
  r1 = await campAct('lab-2026', 'close', { note: 'terminé' });
  check(r1.ok && /clôturée/.test(r1.text), 'close: ' + JSON.stringify(r1));
  c1 = campOf(await campaign('lab-2026'));
  eq([c1.state, c1.note], ['closed', 'terminé'], 'lab-2026 after closing (API)');
  check((await cells(page, 't-campaigns')).find((r) => r[0].includes('lab-2026'))[4].includes('Clôturée'), 'the table does not say closed');
  check(!(await page.locator('#f-camp option').allInnerTexts()).some((o) => o.includes('lab-2026')), 'a closed campaign is still offered');
  await campAct('pilote-2026', 'cancel', { keep: true });
  eq(campOf(await campaign('pilote-2026')).state || 'open', 'open', 'pilote-2026 after "Ne rien faire" (API)');
  r1 = await campAct('pilote-2026', 'cancel', { note: 'abandon' });
  check(r1.ok && /annulée/.test(r1.text), 'cancel: ' + JSON.stringify(r1));
  eq(campOf(await campaign('pilote-2026')).state, 'cancelled', 'pilote-2026 after cancelling (API)');
  // closed by someone else meanwhile: the page's cancel is refused, said in words
  const csrf = (await api(page, '/me')).csrf_token;
  const behind = await page.request.post(BASE + '/api/v1/campaigns/essai-2026/close', { headers: { 'X-CSRF-Token': csrf }, data: { note: 'ailleurs' } });
  eq(behind.status(), 200, 'closing essai-2026 through the API');
  r1 = await campAct('essai-2026', 'cancel');
  check(!r1.ok && /n’est plus ouverte/.test(r1.text) && /closed/.test(r1.text), 'a cancel of a closed campaign: ' + JSON.stringify(r1));
  eq(campOf(await campaign('essai-2026')).state, 'closed', 'essai-2026 stays closed (API)');
  await audit(page, 'campaign-refused');

  // ---- a whole campaign from the console: the population previewed, then
  // created; its page lists the people, and a late joiner once hired
  step('Campagnes: create one from the page (population previewed first)');
  await page.locator('#camp-new-link').click();
  await page.waitForURL(/\/campagnes\/nouvelle$/);
  // the smallest entity of three or more where a manager has two reports (test_web_hr.sh: CE)
  const csrfHr = (await api(page, '/me')).csrf_token;
  const previewApi = async (data) => {
    const r = await page.request.post(BASE + '/api/v1/campaigns/preview', { headers: { 'X-CSRF-Token': csrfHr }, data });
    check(r.ok(), `POST /campaigns/preview: ${r.status()}`);
    return r.json();
  };
  const NEWC = { id: 'mob-2026', title: 'Mobilité 2026', type: 'internal_mobility', window_start: '2026-09-01', window_end: '2026-12-31', entity: CE };
  await page.locator('#f-new-id').fill(NEWC.id);
  await page.locator('#f-new-title').fill(NEWC.title);
  await page.locator('#f-new-type').selectOption(NEWC.type);
  await page.locator('#f-new-window_start').fill(NEWC.window_start);
  await page.locator('#f-new-window_end').fill(NEWC.window_end);
  await page.locator('#f-new-entity').fill(NEWC.entity);
  // a refusal first: hired on or after a date not before "hired before"
  await page.locator('#f-new-hired_after').fill('2026-01-01');
  await page.locator('#f-new-hired_before').fill('2025-01-01');
  await page.locator('#camp-new button[type=submit]').click();
  await page.locator('#camp-new-error').waitFor();
  check(/hired_after/.test(await page.locator('#camp-new-error').innerText()), 'the refused preview does not name its field');
  eq(await page.locator('#f-new-hired_after').getAttribute('aria-invalid'), 'true', 'the refused field is not marked');
  await page.locator('#f-new-hired_after').fill('');
  await page.locator('#f-new-hired_before').fill('');
  const pvApi = await previewApi(NEWC);
  check(pvApi.total >= 3 && pvApi.members.every((m) => m.entity === CE), `the preview of ${CE}: ` + JSON.stringify(pvApi).slice(0, 200));
  await page.locator('#camp-new button[type=submit]').click();
  await page.locator('#t-preview tbody tr').first().waitFor();
  eq(num(await page.locator('#camp-count strong').innerText()), pvApi.total, 'the preview\'s count');
  eq((await cells(page, 't-preview')).map((r) => r[0].split('\n').pop()), pvApi.members.map((m) => m.employee_id), 'the preview\'s people');
  eq(byHeader((await csv(page, 't-preview')).rows).map((r) => [r.employee_id, r.entity, r.hired_on]),
    pvApi.members.map((m) => [m.employee_id, m.entity, m.hired_on]), 'the preview\'s CSV');
  await audit(page, 'campaign-new');
  eq((await api(page, '/campaigns')).campaigns.filter((c) => c.id === NEWC.id).length, 0, 'the preview created the campaign');
  await page.locator('#camp-create button[type=submit]').click();
  await page.locator('#camp-create-q').waitFor();
  check((await page.locator('#camp-create-q').innerText()).includes(NEWC.id), 'the creation\'s confirmation does not name the campaign');
  await page.waitForFunction(() => document.activeElement?.textContent === 'Confirmer');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/campagnes\/mob-2026$/);
  await page.locator('#t-members tbody tr').first().waitFor();
  const made = campOf(await campaign(NEWC.id));
  eq([made.eligible, made.entity, made.type], [pvApi.total, CE, 'internal_mobility'], 'the campaign created (API)');
  const memApi = await api(page, `/campaigns/${NEWC.id}/members`);
  eq((await cells(page, 't-members')).map((r) => r[0].split('\n').pop()), memApi.members.map((m) => m.employee_id), 'the campaign\'s people');
  eq(num(await page.locator('[data-kpi=eligible]').innerText()), made.eligible, 'the campaign page\'s eligible');
  eq(num(await page.locator('[data-kpi=late]').innerText()), 0, 'late joiners before anyone joined');
  // someone hired into ACME-LAB after the campaign opened: a late joiner
  execFileSync(CTL, ['ingest', '-'], { input: JSON.stringify({ event_id: 'late-1', source: 'hris', type: 'hired', employee_id: 'LATE1',
    effective_date: '2026-09-16', entity: CE, department: 'rd', site: 'Strasbourg', category: 'cadre', first_name: 'Léa', last_name: 'Tardive',
    email: 'late1@acme.example' }) + '\n' });
  await page.reload();
  await page.locator('#t-late tbody tr td a').first().waitFor();
  eq((await cells(page, 't-late')).map((r) => r[0].split('\n').pop()), ['LATE1'], 'the late joiners');
  eq(num(await page.locator('[data-kpi=late]').innerText()), 1, 'the late joiners\' count');
  const lateCsv = byHeader((await csv(page, 't-late')).rows);
  eq(lateCsv.map((r) => [r.employee_id, r.late, r.status]), [['LATE1', 'true', 'upcoming']], 'the late joiners\' CSV');
  eq(byHeader((await csv(page, 't-members')).rows).map((r) => r.employee_id),
    (await api(page, `/campaigns/${NEWC.id}/members`)).members.map((m) => m.employee_id), 'the people\'s CSV');
  await audit(page, 'campaign-page');

  // ---- the campaign's progress from records' interviews, by group: the
  // table equals GET /campaigns/{id}/progress, and its CSV the table
  step('Campagne: progress by entity, department and manager equal to the API, and the CSV');
  const progApi = (by) => api(page, `/campaigns/${NEWC.id}/progress?group_by=${by}&list=true`);
  const everyoneIn = campOf(await campaign(NEWC.id)).eligible;
  // records creates the campaign's interviews as it reads the scheduler's events
  for (let i = 0; i < 150 && ((await progApi('entity')).total?.total || 0) < everyoneIn; i++) await page.waitForTimeout(200);
  async function progressShown(by) {
    const want = await progApi(by);
    check((want.total?.total || 0) === everyoneIn, `records holds ${want.total?.total} interviews of ${everyoneIn}`);
    await page.locator('#f-camp-by').selectOption(by);
    const label = { entity: 'Entité', department: 'Service', manager: 'Manager' }[by];
    await page.waitForFunction(([n, l]) => document.querySelectorAll('#t-progress tbody tr').length === n
      && document.querySelector('#t-progress-cap')?.textContent?.includes('— ' + l), [(want.groups || []).length, label]);
    const z = (x) => x || 0;
    const rows = (await cells(page, 't-progress')).map((r) => r.slice(1, 7).map(num));
    eq(rows, want.groups.map((g) => [z(g.planned), z(g.scheduled), z(g.held), z(g.closed), z(g.cancelled), z(g.total)]), `the progress by ${by}`);
    eq((await cells(page, 't-progress', 'tfoot'))[0].slice(1, 7).map(num),
      [z(want.total.planned), z(want.total.scheduled), z(want.total.held), z(want.total.closed), z(want.total.cancelled), z(want.total.total)], `the progress total by ${by}`);
    const pc = byHeader((await csv(page, 't-progress')).rows);
    eq(pc.map((r) => [r.group, Number(r.planned), Number(r.closed), Number(r.total)]),
      [...want.groups, { ...want.total, group: '' }].map((g) => [g.group || '', z(g.planned), z(g.closed), z(g.total)]), `the progress CSV by ${by}`);
    return want;
  }
  await page.reload();
  await page.locator('#t-progress tbody tr').first().waitFor();
  const byEntity = await progressShown('entity');
  eq(byEntity.groups.map((g) => g.group), [CE], 'the campaign\'s entities');
  await progressShown('department');
  await progressShown('manager');
  // each person's interview: its state, linked
  const ivOf = new Map(byEntity.interviews.map((i) => [i.employee_id, i]));
  const mrows = await cells(page, 't-members');
  check(mrows.length === ivOf.size && mrows.every((r) => ivOf.has(r[0].split('\n').pop())), 'the people and their interviews: ' + JSON.stringify(mrows.slice(0, 2)));
  eq(byHeader((await csv(page, 't-members')).rows).map((r) => [r.employee_id, r.interview_id, r.interview_status]),
    [...ivOf.values()].map((i) => [i.employee_id, i.interview_id, i.status]), 'the people\'s CSV with their interviews');
  await audit(page, 'campaign-progress');

  // ---- two of its interviews carried to signature through the manager's
  // and the employees' pages; the progress follows
  step('Campagne: two interviews to signature through the manager\'s and employees\' pages');
  const ivFor = (e) => byEntity.interviews.find((i) => i.employee_id === e);
  const mctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  const mp = await mctx.newPage();
  mp.on('pageerror', (e) => errors.push('page error: ' + e.message));
  const saved = (p) => p.locator('.savestate', { hasText: /^✔?\s*(Enregistré|Saved)$/ }).waitFor({ timeout: 15000 });
  let signedIn = false;
  for (const e of [CEMP1, CEMP2]) {
    const iv = ivFor(e);
    check(iv && iv.status === 'planned', `no planned interview for ${e}: ` + JSON.stringify(iv));
    await mp.goto(`${BASE}/interviews/${iv.interview_id}`);
    if (!signedIn) { await signIn(mp, 'cmgr'); signedIn = true; }
    await mp.getByRole('button', { name: /^Planifier/ }).click();
    await mp.getByRole('button', { name: 'Enregistrer' }).click();
    await mp.locator('.card .state', { hasText: 'Planifié' }).first().waitFor();
    await mp.locator('#q-target').fill('Rester dans l’équipe, évoluer vers la coordination.');
    await saved(mp);
    await mp.locator('#q-decision').selectOption({ index: 1 });
    await saved(mp);
    await mp.locator('#q-manager_summary').fill('Échange constructif, suite en janvier.');
    await saved(mp);
    await mp.getByRole('button', { name: 'Marquer comme tenu' }).click();
    await mp.locator('.card .state', { hasText: 'Tenu' }).first().waitFor();
    await mp.getByRole('button', { name: 'Valider le compte rendu' }).click();
    await mp.locator('.card .state', { hasText: 'À signer' }).first().waitFor();
    // the employee signs from her interview's page (the e-mail's link)
    const ectx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    const ep = await ectx.newPage();
    ep.on('pageerror', (x) => errors.push('page error: ' + x.message));
    await ep.goto(`${BASE}/interviews/${iv.interview_id}`);
    await signIn(ep, e === CEMP1 ? 'cemp1' : 'cemp2');
    await ep.locator('section.sign button').click();
    await ep.getByText('Signé par le collaborateur').first().waitFor();
    await ectx.close();
    await mp.reload();
    await mp.locator('section.sign button').click();
    await mp.locator('.card .state', { hasText: 'Signé' }).first().waitFor();
  }
  await mctx.close();
  // records counts them signed; the page's progress says so after a reload
  for (let i = 0; i < 100 && ((await progApi('entity')).total?.closed || 0) < 2; i++) await page.waitForTimeout(200);
  await page.reload();
  await page.locator('#t-progress tbody tr').first().waitFor();
  const after = await progressShown('entity');
  eq([after.total.closed, after.interviews.find((i) => i.employee_id === CEMP1)?.status], [2, 'closed'], 'the progress after two signatures');
  await progressShown('manager');

  // ---- remind the late ones: one action, the messages read back from the
  // SMTP server; a second click sends nothing more
  step('Campagne: remind the late ones (real SMTP), a second click sends nothing');
  const mailsOf = () => readFileSync(MAIL, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((m) => m.notification.includes(`/campaign-${NEWC.id}|`));
  eq(mailsOf().length, 0, 'campaign reminders before the click');
  await page.locator('#camp-remind button[type=submit]').click();
  await page.locator('#camp-remind-q').waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Confirmer');
  await audit(page, 'campaign-remind-confirm');
  await page.keyboard.press('Enter');
  const rres = page.locator('#camp-remind-result p');
  await rres.waitFor();
  const rtext = await rres.innerText();
  const sentN = num(rtext.split('rappels')[0]);
  check((await rres.getAttribute('class')) === 'ok' && sentN > 0, 'the reminder: ' + rtext);
  for (let i = 0; i < 100 && mailsOf().length < sentN; i++) await page.waitForTimeout(200);
  const mails = mailsOf();
  eq(mails.length, sentN, 'campaign reminders received by the SMTP server');
  const late = after.interviews.filter((i) => !['closed', 'cancelled', 'held', 'reported', 'signed_employee', 'signed_manager'].includes(i.status));
  eq([...new Set(mails.map((m) => m.notification.split('|')[0]))].sort(),
    late.map((i) => `o:${i.employee_id}/internal_mobility/campaign-${NEWC.id}`).sort(), 'the subjects reminded: the late ones');
  check(mails.every((m) => m.rcpt.length >= 1 && /@/.test(m.rcpt[0])), 'a reminder without its recipient');
  check(!mails.some((m) => m.notification.startsWith(`o:${CEMP1}/`) || m.notification.startsWith(`o:${CEMP2}/`)), 'a signed interview was reminded');
  await page.locator('#camp-remind button[type=submit]').click();
  await page.locator('#camp-remind-q').waitFor();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^✔?\s*0 rappels/.test(document.querySelector('#camp-remind-result p')?.textContent || ''));
  await page.waitForTimeout(500);
  eq(mailsOf().length, sentN, 'reminders after the second click');

  // ---- close the campaign from Pilotage: the page then says closed, no reminder offered
  step('Campagne: closed from Pilotage');
  await page.locator('header nav a', { hasText: 'Pilotage' }).click();
  await page.locator('#camp-actions').waitFor();
  const rc = await campAct(NEWC.id, 'close', { note: 'campagne terminée' });
  check(rc.ok && /clôturée/.test(rc.text), 'closing the campaign: ' + JSON.stringify(rc));
  eq(campOf(await campaign(NEWC.id)).state, 'closed', 'the campaign after closing (API)');
  await page.goto(`${BASE}/campagnes/${NEWC.id}`);
  await page.locator('#t-members tbody tr').first().waitFor();
  check((await page.locator('#h-camp-about').innerText()).includes('Clôturée'), 'the campaign page does not say closed');
  eq(await page.locator('#camp-remind').count(), 0, 'reminders offered on a closed campaign');

  // ---- people: search without accents, the person's whole picture
  step('Personnes: search by a part of the name without accents');
  await page.locator('header nav a', { hasText: 'Personnes' }).click();
  await page.waitForURL(/\/personnes$/);
  await page.locator('#t-search tbody tr').first().waitFor();
  await firstContent(page, 'Personnes', ['/api/v1/employees'], '#t-search tbody tr');
  // everyone, 50 at a time: "Afficher les suivants" appends the API's next page
  const p1 = await api(page, '/employees?limit=50');
  const p2 = await api(page, `/employees?limit=50&after=${p1.next_after}`);
  check(p1.next_after && p2.employees.length > 0, 'fewer than 51 employees: ' + JSON.stringify(p1.next_after));
  eq((await cells(page, 't-search')).map((r) => r[1]), p1.employees.map((e) => e.employee_id), 'the first 50 people');
  await page.locator('#more').click();
  await page.waitForFunction((n) => document.querySelectorAll('#t-search tbody tr').length === n, 50 + p2.employees.length);
  eq((await cells(page, 't-search')).map((r) => r[1]), [...p1.employees, ...p2.employees].map((e) => e.employee_id), 'the people after "Afficher les suivants"');
  const plain = (x) => x.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const everyone = (await api(page, '/employees?limit=1000')).employees;
  const her = everyone.find((e) => e.employee_id === EMP);
  check(her && her.last_name, 'no record for ' + EMP);
  // someone with an accent in her name, found by the name without it
  const acc = everyone.find((e) => /[^\x00-\x7f]/.test(e.last_name || '')) || everyone.find((e) => /[^\x00-\x7f]/.test(e.first_name || ''));
  check(acc, 'no accented name in the organisation');
  const accName = /[^\x00-\x7f]/.test(acc.last_name || '') ? acc.last_name : acc.first_name;
  const i0 = accName.search(/[^\x00-\x7f]/);
  const part = plain(accName).slice(Math.max(0, i0 - 2), i0 + 3);
  check(!/[^\x00-\x7f]/.test(part), 'the query has an accent: ' + part);
  await page.locator('#f-q').fill(part);
  await Promise.all([page.waitForResponse((r) => r.url().includes('q=' + encodeURIComponent(part))), page.locator('#f-q').press('Enter')]);
  await page.waitForFunction(() => document.querySelector('#t-search-cap')?.textContent.includes('«'));
  const ids = (rows) => rows.map((r) => r[1]);
  const found = await cells(page, 't-search');
  check(ids(found).includes(acc.employee_id), `"${part}" does not find ${accName} (${acc.employee_id}): ` + JSON.stringify(ids(found)));
  eq(ids(found), (await api(page, `/employees?q=${encodeURIComponent(part)}&limit=50`)).employees.map((e) => e.employee_id), `the people found by "${part}"`);
  const herPart = plain(her.last_name).slice(1, 5);
  await page.locator('#f-q').fill(herPart);
  await Promise.all([page.waitForResponse((r) => r.url().includes('q=' + encodeURIComponent(herPart))), page.locator('#f-q').press('Enter')]);
  await page.locator(`#t-search a[href="/personnes/${EMP}"]`).waitFor();
  const scsv = byHeader((await csv(page, 't-search')).rows);
  check(scsv.some((r) => r.employee_id === EMP && r.name === `${her.first_name} ${her.last_name}`), 'the search CSV lacks ' + EMP);
  await audit(page, 'people');

  step('Personnes: her record, obligations with reasons, interviews, notifications');
  await page.locator(`#t-search a[href="/personnes/${EMP}"]`).click();
  await page.waitForURL(new RegExp(`/personnes/${EMP}$`));
  await page.locator('#t-notifications').waitFor();
  await firstContent(page, 'the person', [`/api/v1/employees/${EMP}`, '/api/v1/obligations', '/api/v1/interviews', '/api/v1/notifications'], '#t-notifications');
  await page.locator('#t-obligations').waitFor();
  await page.locator('#t-interviews').waitFor();
  eq(await page.locator('h1').innerText(), `${her.first_name} ${her.last_name}`, 'the person\'s name');
  check((await page.locator('dl.attrs').innerText()).includes(her.entity), 'the record lacks the entity');
  const obApi = (await api(page, `/obligations?employee_id=${EMP}&lang=fr`)).obligations || [];
  check(obApi.length > 0 && obApi.every((o) => o.reason && o.rule), 'the API gives her no obligations with reasons: ' + JSON.stringify(obApi).slice(0, 300));
  const obRows = await cells(page, 't-obligations');
  // columns: due date, type, status, top-up, rule, reason
  eq(obRows.map((r) => [r[4], r[5]]), obApi.map((o) => [o.rule, o.reason]), 'her obligations\' rules and reasons');
  const ocsv = byHeader((await csv(page, 't-obligations')).rows);
  eq(ocsv.map((r) => r.reason), obApi.map((o) => o.reason), 'the obligations CSV');
  const ivApi = (await api(page, `/interviews?employee_id=${EMP}&limit=200`)).interviews || [];
  check(ivApi.length > 0, 'she has no interview');
  eq(await page.locator('#t-interviews tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ivApi.map((i) => '/interviews/' + i.id), 'her interviews, each a link');
  const ntApi = (await api(page, `/notifications?employee_id=${EMP}&limit=200`)).notifications || [];
  check(ntApi.length > 0, 'no notification about her');
  eq((await cells(page, 't-notifications')).length, ntApi.length, 'the notifications about her');
  await audit(page, 'person');
  // the page's language is the reasons' language
  await page.locator('header button', { hasText: 'English' }).click();
  await page.locator('h2', { hasText: 'Deadlines and obligations' }).waitFor();
  const obEn = (await api(page, `/obligations?employee_id=${EMP}&lang=en`)).obligations || [];
  await page.waitForFunction((r) => document.querySelector('#t-obligations tbody tr td:nth-child(6)')?.innerText.trim() === r, obEn[0].reason);
  await page.locator('header button', { hasText: 'Français' }).click();
  await page.locator('h2', { hasText: 'Échéances et obligations' }).waitFor();
  await page.locator(`#t-interviews tbody a[href="/interviews/${ivApi[0].id}"]`).click();
  await page.waitForURL(new RegExp(`/interviews/${ivApi[0].id}$`));

  // HR's operations offered on her interview are those its state allows
  {
    await page.locator('h1').first().waitFor();
    const st = (await api(page, `/interviews/${ivApi[0].id}`)).interview.status;
    const before = ['reassign', 'move_due', 'step_back', 'cancel'];
    const allowed = { planned: ['reassign', 'move_due', 'cancel'], scheduled: before, preparation: before, shared: before,
      held: ['reassign'], reported: ['step_back'], signed_employee: ['reopen'], signed_manager: ['reopen'], closed: ['reopen'] }[st] || [];
    if (allowed.length) await page.locator('#iv-ops').waitFor();
    eq(await page.locator('#iv-ops input[name=iv-op]').evaluateAll((is) => is.map((i) => i.value)), allowed, `HR's operations on a ${st} interview`);
  }

  step('Modèles: every version the API lists; one template read in full');
  await page.locator('header nav a', { hasText: 'Modèles' }).click();
  await page.waitForURL(/\/modeles$/);
  await page.locator('#t-templates tbody tr').first().waitFor();
  await firstContent(page, 'Modèles', ['/api/v1/templates'], '#t-templates tbody tr');
  const tplApi = (await api(page, '/templates?all_versions=true')).templates || [];
  check(tplApi.length >= 25, `the API lists ${tplApi.length} templates`);
  const tplRows = await cells(page, 't-templates');
  // columns: id, version, title, type, locale, entity, category, questions, interviews created
  eq(tplRows.map((r) => [r[0], num(r[1]), r[2], r[4], num(r[7]), num(r[8])]),
    tplApi.map((x) => [x.id, x.version || 0, x.title || '', x.locale || '', x.questions || 0, x.interviews || 0]), 'the templates listed');
  check(tplApi.some((x) => (x.interviews || 0) > 0), 'no template version counts an interview');
  const tplCsv = byHeader((await csv(page, 't-templates')).rows);
  eq(tplCsv.map((r) => [r.id, Number(r.version), r.type]), tplApi.map((x) => [x.id, x.version || 0, x.type]), 'the templates CSV');
  await audit(page, 'templates');
  // test_web_hr.sh imported a second version of annual_review.fr: both are listed, each with its link
  eq(tplApi.filter((x) => x.id === 'annual_review.fr').map((x) => x.version).sort(), [1, 2], 'the API\'s versions of annual_review.fr');
  for (const v of [1, 2]) check(await page.locator(`#t-templates a[href="/modeles/annual_review.fr/${v}"]`).count() === 1, `no link to annual_review.fr v${v}`);
  const one = tplApi.find((x) => x.id === 'annual_review.fr' && x.version === 2);
  await page.locator(`#t-templates a[href="/modeles/${one.id}/${one.version}"]`).click();
  await page.waitForURL(new RegExp(`/modeles/${one.id.replace(/\./g, '\\.')}/${one.version}$`));
  await page.locator('li[data-q]').first().waitFor();
  await firstContent(page, 'a template', [`/api/v1/templates/${one.id}`], 'li[data-q]');
  const full = await api(page, `/templates/${one.id}?version=${one.version}`);
  const doc = JSON.parse(full.document);
  const apiQs = doc.sections.flatMap((sec) => sec.questions.map((q) => [q.id, q.kind, q.who, !!q.required, (q.scale?.levels || []).map((l) => l.label)]));
  const pageQs = await page.locator('li[data-q]').evaluateAll((lis) => lis.map((li) => [li.dataset.q, li.querySelector('[data-kind]').dataset.kind,
    li.querySelector('[data-who]').dataset.who, li.querySelector('[data-required]').dataset.required === 'true',
    [...li.querySelectorAll('li[data-level]')].map((l) => l.innerText.replace(/^\d+ — /, '').trim())]));
  eq(pageQs, apiQs, `${one.id} v${one.version}: the questions (kind, who, required, rating labels)`);
  eq(num(await page.locator('#tpl-interviews').innerText()), full.interviews || 0, `${one.id} v${one.version}: the interviews created on it`);
  eq(await page.locator('#tpl-campaigns li').evaluateAll((ls) => ls.map((l) => l.dataset.campaign)),
    (full.campaigns || []).map((c) => c.campaign_id), `${one.id} v${one.version}: its campaigns`);
  eq(await page.locator('main section h2').allInnerTexts(), doc.sections.map((sec) => sec.title), `${one.id}: the sections`);
  check(apiQs.some((q) => q[4].length > 0), `${one.id} has no rating labels to compare`);
  await audit(page, 'template');

  step('Interview operations: reassign with a reason, a stale page refused in words, cancel confirmed');
  {
    const open = ((await api(page, '/interviews?status=planned&limit=400')).interviews || []).filter((i) => i.manager_id && i.employee_id !== EMP);
    check(open.length >= 2, 'fewer than 2 planned interviews with a manager');
    const a = open[0];
    const newMgr = open.find((i) => i.manager_id !== a.manager_id)?.manager_id;
    check(newMgr, 'no second manager to reassign to');
    // b: another one, whose interviewer the change behind the page really changes
    const b = open.find((i) => i.id !== a.id && i.manager_id !== newMgr);
    check(b, 'no second planned interview');
    await page.goto(BASE + `/interviews/${a.id}`);
    await page.locator('#iv-ops').waitFor();
    await page.locator('#iv-ops input[value=reassign]').check();
    // no such employee: records' refusal said in words, nothing changed
    await page.locator('#f-op-to').fill('NOBODY-42');
    await page.locator('#f-op-reason').fill('essai');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .error').waitFor();
    check(/Refusé : .*known employee/.test(await page.locator('#op-result').innerText()), 'the unknown interviewer\'s refusal: ' + await page.locator('#op-result').innerText());
    eq((await api(page, `/interviews/${a.id}`)).interview.manager_id, a.manager_id, 'the interviewer after a refused reassignment (API)');
    await page.locator('#f-op-to').fill(newMgr);
    await page.locator('#f-op-reason').fill('changement de manager');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#op-confirm-q').waitFor();
    check((await page.locator('#op-confirm-q').innerText()).includes(newMgr), 'the confirmation does not name the new interviewer');
    check(await page.evaluate(() => document.activeElement?.textContent === 'Confirmer'), 'the focus is not on "Confirmer"');
    await audit(page, 'interview-ops-confirm');
    await page.keyboard.press('Enter');
    await page.locator('#op-result .ok').waitFor();
    eq((await api(page, `/interviews/${a.id}`)).interview.manager_id, newMgr, 'the interviewer after the reassignment (API)');
    // b changed behind the page: its ETag is stale, the cancel is refused in words
    await page.goto(BASE + `/interviews/${b.id}`);
    await page.locator('#iv-ops').waitFor();
    {
      const csrf = (await api(page, '/me')).csrf_token;
      const g = await page.request.get(BASE + `/api/v1/interviews/${b.id}`);
      const r = await page.request.post(BASE + `/api/v1/interviews/${b.id}/reassign`, {
        headers: { 'X-CSRF-Token': csrf, 'If-Match': g.headers().etag }, data: { to: newMgr, reason: 'derrière la page' } });
      eq(r.status(), 200, 'the reassignment behind the page');
    }
    await page.locator('#iv-ops input[value=cancel]').check();
    await page.locator('#f-op-reason').fill('départ');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .error').waitFor();
    check((await page.locator('#op-result').innerText()).includes('modifié cet entretien'), 'the stale refusal in words: ' + await page.locator('#op-result').innerText());
    check((await api(page, `/interviews/${b.id}`)).interview.status !== 'cancelled', 'a stale cancel cancelled the interview');
    await audit(page, 'interview-ops-refused');
    // Escape thinks better of it; then confirmed, with the page read again
    await page.reload();
    await page.locator('#iv-ops input[value=cancel]').check();
    await page.locator('#f-op-reason').fill('départ');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#op-confirm-q').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#iv-ops button[type=submit]').waitFor();
    check(await page.evaluate(() => document.activeElement?.getAttribute('type') === 'submit'), 'the focus is not back on the action');
    check((await api(page, `/interviews/${b.id}`)).interview.status !== 'cancelled', 'Escape cancelled the interview');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .ok').waitFor();
    eq((await api(page, `/interviews/${b.id}`)).interview.status, 'cancelled', 'the interview after the cancel (API)');
    await page.locator('main .state', { hasText: 'Annulé' }).first().waitFor();
    check((await page.locator('#iv-ops input[name=iv-op]').count()) === 0, 'a cancelled interview still offers operations');
    // a signed interview (not emma's) reopened: held again, its signatures to be made again
    const done = ((await api(page, '/interviews?status=closed&limit=50')).interviews || []).find((i) => i.employee_id !== EMP);
    check(done, 'no closed interview to reopen');
    await page.goto(BASE + `/interviews/${done.id}`);
    await page.locator('#iv-ops input[value=reopen]').check();
    await page.locator('#f-op-reason').fill('erreur dans le compte rendu');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .ok').waitFor();
    const re = (await api(page, `/interviews/${done.id}`)).interview;
    eq([re.status, re.reopen_count], ['held', 1], 'the interview after the reopening (API)');
    await page.locator('main .state', { hasText: 'Tenu' }).first().waitFor();
  }

  step('Interview operations: a deadline moved within the law, a stage stepped back; a template version imported');
  {
    const csrf = (await api(page, '/me')).csrf_token;
    const open = ((await api(page, '/interviews?status=planned&limit=400')).interviews || []).filter((i) => i.employee_id !== EMP);
    // one owed by law, its legal date well ahead of the business day (2026-09-15, test_web_hr.sh)
    let c = null;
    for (const i of open.filter((x) => x.obligation_id && x.due_date > '2026-09-30').slice(0, 40)) {
      const v = (await api(page, `/interviews/${i.id}`)).interview;
      if (v.obligation_id && v.legal_due_date && v.legal_due_date > '2026-09-30') { c = v; break; }
    }
    check(c, 'no planned interview owed by law with a legal date ahead');
    await page.goto(BASE + `/interviews/${c.id}`);
    await page.locator('#iv-ops input[value=move_due]').check();
    check((await page.locator('label[for=f-op-due]').innerText()).includes(c.legal_due_date.split('-').reverse().join('/').slice(0, 5)),
      'the legal date is not shown next to the new deadline: ' + await page.locator('label[for=f-op-due]').innerText());
    eq(await page.locator('#f-op-due').getAttribute('max'), c.legal_due_date, 'the date field stops at the legal date');
    // after the law's date: refused by records (the API, as the page cannot send it)
    const g = await page.request.get(BASE + `/api/v1/interviews/${c.id}`);
    const late = await page.request.post(BASE + `/api/v1/interviews/${c.id}/move-due`, {
      headers: { 'X-CSRF-Token': csrf, 'If-Match': g.headers().etag }, data: { due_date: '2099-01-01', reason: 'trop tard' } });
    eq(late.status(), 409, 'a deadline after the legal date');
    check((await late.json()).detail.includes(`due by ${c.legal_due_date}`), 'the refusal names the legal date');
    await page.locator('#f-op-due').fill('2026-09-22');
    await page.locator('#f-op-reason').fill('campagne de printemps');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#op-confirm-q').waitFor();
    check((await page.locator('#op-confirm-q').innerText()).includes('22/09/2026'), 'the confirmation does not name the date');
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .ok').waitFor();
    const moved = (await api(page, `/interviews/${c.id}`)).interview;
    eq([moved.due_date, moved.due_moved, moved.legal_due_date], ['2026-09-22', true, c.legal_due_date], 'the deadline after the move (API)');
    await audit(page, 'interview-ops-move-due');
    // scheduled, then stepped back to planned: the meeting is withdrawn
    await page.request.post(BASE + `/api/v1/interviews/${c.id}/schedule`, { headers: { 'X-CSRF-Token': csrf,
      'If-Match': (await page.request.get(BASE + `/api/v1/interviews/${c.id}`)).headers().etag }, data: { start_ms: Date.UTC(2026, 8, 18, 9), duration_min: 60 } })
      .then((r) => eq(r.status(), 200, 'HR schedules it'));
    await page.reload();
    await page.locator('#iv-ops input[value=step_back]').check();
    await page.locator('#f-op-reason').fill('rendez-vous pris par erreur');
    await page.locator('#iv-ops button[type=submit]').click();
    await page.locator('#iv-ops button', { hasText: 'Confirmer' }).click();
    await page.locator('#op-result .ok').waitFor();
    const back = (await api(page, `/interviews/${c.id}`)).interview;
    eq([back.status, back.scheduled_start_ms || 0], ['planned', 0], 'the interview after the step back (API)');
    await page.locator('main .state', { hasText: 'À planifier' }).first().waitFor();
    // a template version imported from a file; a file records refuses is named with its reason
    await page.goto(BASE + '/modeles');
    await page.locator('#tpl-import').waitFor();
    const countBefore = ((await api(page, '/templates?all_versions=true')).templates || []).length;
    const corr = JSON.parse((await api(page, '/templates/corrective.fr')).document);
    corr.title = 'Entretien de recadrage (version RH)';
    const dir = join(ART, 'upload');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'corrective-v2.json'), JSON.stringify(corr));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ id: 'bad.fr', type: 'professional', locale: 'fr', title: 'x',
      sections: [{ id: 's', title: 'S', questions: [{ id: 'q', kind: 'rating', label: 'L', who: 'manager',
        scale: { min: 1, max: 2, levels: [{ value: 1, label: 'a' }, { value: 2, label: 'b' }] } }] }] }));
    await page.locator('#f-tpl-files').setInputFiles([join(dir, 'corrective-v2.json'), join(dir, 'bad.json')]);
    await page.locator('#tpl-import button[type=submit]').click();
    await page.locator('#tpl-import-results li').nth(1).waitFor();
    const lines = await page.locator('#tpl-import-results li').allInnerTexts();
    check(/corrective-v2\.json : nouvelle version — corrective\.fr v2/.test(lines[0]), 'the imported file: ' + lines[0]);
    check(/bad\.json : refusé .*not an evaluation/.test(lines[1]), 'the refused file and its reason: ' + lines[1]);
    await page.locator(`#t-templates a[href="/modeles/corrective.fr/2"]`).waitFor();
    eq(((await api(page, '/templates?all_versions=true')).templates || []).length, countBefore + 1, 'one version more (API)');
    await audit(page, 'templates-import');
  }

  const orgTotal = (await api(page, '/due?from=1970-01-01&to=2100-01-01&limit=1')).total;
  step('English');
  await page.locator('header button', { hasText: 'English' }).click();
  await page.locator('header nav a', { hasText: 'Overview' }).click();
  await page.locator('h1', { hasText: 'Overview' }).waitFor();
  await page.locator('#t-exposure tfoot').waitFor();
  check((await page.locator('#t-exposure thead').innerText()).includes('Due soon'), 'the English headers');
  await audit(page, 'pilotage-en');
  await page.locator('header nav a', { hasText: 'Templates' }).click();
  await page.locator('h1', { hasText: 'Interview templates' }).waitFor();
  check((await page.locator('#t-templates thead').innerText()).includes('Questions'), 'the templates\' English headers');
  await page.locator('#t-templates a[href="/modeles/annual_review.en/1"]').click();
  await page.locator('[data-kind=rating]', { hasText: 'Rating' }).first().waitFor();
  await page.locator('[data-who=manager]', { hasText: 'the manager answers' }).first().waitFor();

  // ---- HR granted ACME-LAB only: asked for an entity, its own opens, another is refused
  step('HR of one entity: asked which entity; ACME-LAB opens, ACME-FR is refused');
  {
    const p = await newPage('fr-FR');
    await p.goto(BASE + '/');
    await signIn(p, 'rhlab');
    await p.locator('#f-entity-open').waitFor();
    check((await p.locator('#t-exposure').count()) === 0, 'HR of one entity sees the organisation\'s exposure');
    await audit(p, 'partial');
    await p.locator('#f-entity-open').fill('ACME-LAB');
    await p.locator('#f-entity-open').press('Enter');
    await p.waitForURL(/\/pilotage\/ACME-LAB$/);
    await p.locator('#t-people').waitFor();
    await p.goto(BASE + `/pilotage/${ENTITY}`);
    await p.locator('h1', { hasText: 'Accès refusé' }).waitFor();
    const r = await p.request.get(BASE + `/api/v1/statistics/compliance?entity=${ENTITY}&list=true`);
    eq(r.status(), 403, `HR of ACME-LAB: GET /statistics/compliance?entity=${ENTITY}`);
    await p.context().close();
  }

  // ---- refusals: the API decides, the page says it
  for (const [login, who] of [['emma', 'employee'], ['marc', 'manager']]) {
    step(`${who}: no HR links; the HR URLs are refused, by the API too`);
    const p = await newPage('fr-FR');
    await p.goto(BASE + '/pilotage');
    await signIn(p, login);
    await p.locator('h1', { hasText: 'Accès refusé' }).waitFor();
    check(!(await p.locator('header nav').innerText()).includes('Pilotage'), `${who} sees the Pilotage link`);
    check(!(await p.locator('body').innerText()).includes('Exposition'), `${who} sees the exposure`);
    for (const path of ['/resultats', '/echeances', `/pilotage/${ENTITY}`, '/personnes', `/personnes/${EMP}`, '/modeles', '/modeles/annual_review.fr/1', '/modeles/annual_review.fr/',
      '/campagnes/nouvelle', '/campagnes/review-2026']) {
      await p.goto(BASE + path);
      await p.locator('h1', { hasText: 'Accès refusé' }).waitFor();
    }
    if (who === 'employee') {
      await audit(p, 'refused');
      // her interview page: no HR operation, and the API refuses them to her
      const mine = ((await api(p, '/interviews?limit=50')).interviews || [])[0];
      check(mine, 'the employee has no interview');
      await p.goto(BASE + `/interviews/${mine.id}`);
      await p.locator('h1').first().waitFor();
      await p.locator('section[aria-label]').first().waitFor();
      eq(await p.locator('#iv-ops').count(), 0, 'HR operations on the employee\'s interview page');
      const g = await p.request.get(BASE + `/api/v1/interviews/${mine.id}`);
      const csrf = (await api(p, '/me')).csrf_token;
      const bodies = { reassign: { to: EMP, reason: 'x' }, reopen: { reason: 'x' }, 'step-back': { reason: 'x' },
        'move-due': { due_date: '2026-09-20', reason: 'x' } };
      for (const [op, data] of Object.entries(bodies)) {
        const r = await p.request.post(BASE + `/api/v1/interviews/${mine.id}/${op}`, {
          headers: { 'X-CSRF-Token': csrf, 'If-Match': g.headers().etag }, data });
        eq(r.status(), 403, `employee: POST /interviews/…/${op}`);
      }
      const imp = await p.request.post(BASE + '/api/v1/templates', { headers: { 'X-CSRF-Token': csrf },
        data: { documents: [JSON.stringify({ id: 'x.fr', type: 'corrective', locale: 'fr', title: 'x', sections: [] })] } });
      eq(imp.status(), 403, 'employee: POST /templates');
    }
    await refusedLegal(p, who);
    for (const path of ['/statistics/compliance?group_by=entity', `/statistics/compliance?entity=${ENTITY}&list=true`,
      '/statistics/completion?group_by=month', '/statistics/ratings', '/statistics/training', '/statistics/mobility',
      '/campaigns/review-2026/members']) {
      const r = await p.request.get(BASE + '/api/v1' + path);
      eq(r.status(), 403, `${who}: GET ${path}`);
    }
    // the deadlines: the API scopes them instead of refusing (nothing for an
    // employee, her own; a manager, his reports): never the organisation's calendar
    const d = await api(p, '/due?from=1970-01-01&to=2100-01-01&limit=1000');
    if (who === 'employee') eq([...new Set((d.obligations || []).map((o) => o.employee_id))], [EMP], 'the employee\'s GET /due: her own only');
    else check((d.total || 0) < orgTotal, `the manager's GET /due holds ${d.total} of the organisation's ${orgTotal} deadlines`);
    // the search answers her herself only (the page says "not allowed" all the same)
    if (who === 'employee') eq((await api(p, '/employees?limit=1000')).employees.map((e) => e.employee_id), [EMP], 'the employee\'s GET /employees');
    for (const path of ['/campaigns/review-2026/close', '/campaigns/review-2026/cancel', '/campaigns/preview', '/campaigns/review-2026/remind']) {
      const csrf = (await api(p, '/me')).csrf_token;
      const r = await p.request.post(BASE + '/api/v1' + path, { headers: { 'X-CSRF-Token': csrf }, data: {} });
      eq(r.status(), 403, `${who}: POST ${path}`);
    }
    await p.context().close();
  }
  check(errors.length === 0, 'CSP reports or page errors: ' + errors.join('; '));
  step('done');
} catch (e) {
  console.error('FAIL: ' + (e && e.message ? e.message : e));
  if (errors.length) console.error('page errors: ' + errors.join('; '));
  for (const [i, ctx] of browser.contexts().entries())
    for (const [j, p] of ctx.pages().entries()) await p.screenshot({ path: join(ART, `hr-failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
