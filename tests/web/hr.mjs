// The HR pages' browser scenario (tests/integration/test_web_hr.sh):
// Debian's chromium driven by playwright-core.  HR signs in and lands on
// Pilotage; each page's figures are compared with the API's JSON (and the
// compliance totals with `entretiensctl stats compliance --json`, in
// EXPECT), each CSV export is downloaded and compared with the table's
// source; axe-core at 1280 and 375 px, screenshots; an employee and a
// manager typing the URLs get "not allowed", and the API refuses them; HR
// granted one entity is asked for it, and refused another.
// Environment: BASE, PW, ART, NODE_MODULES, EXPECT (the CLI's JSON),
// ENTITY (an entity with overdue people), DOWNLOADS, EMP (emma's employee id).
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { audit as auditAs, check, launch, step } from './lib.mjs';

const { BASE, PW, ART, EXPECT, ENTITY, DOWNLOADS, EMP } = process.env;
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

try {
  // ---- HR: sign in, land on Pilotage; its first content leaves with the script
  step('HR signs in');
  const page = await newPage('fr-FR');
  await page.goto(BASE + '/');
  await signIn(page, 'rh');
  await page.waitForURL(/\/pilotage$/);
  await page.locator('#t-exposure tfoot').waitFor();
  const nav = await page.locator('header nav a').allInnerTexts();
  eq(nav, ['Pilotage', 'Résultats', 'Échéances'], 'the HR navigation');

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
  eq([num(crow[4]), num(crow[5]), num(crow[6])], [camp.eligible, camp.met, camp.upcoming || 0], 'review-2026: eligible, done, upcoming');
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

  const orgTotal = (await api(page, '/due?from=1970-01-01&to=2100-01-01&limit=1')).total;
  step('English');
  await page.locator('header button', { hasText: 'English' }).click();
  await page.locator('header nav a', { hasText: 'Overview' }).click();
  await page.locator('h1', { hasText: 'Overview' }).waitFor();
  await page.locator('#t-exposure tfoot').waitFor();
  check((await page.locator('#t-exposure thead').innerText()).includes('Due soon'), 'the English headers');
  await audit(page, 'pilotage-en');

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
    for (const path of ['/resultats', '/echeances', `/pilotage/${ENTITY}`]) {
      await p.goto(BASE + path);
      await p.locator('h1', { hasText: 'Accès refusé' }).waitFor();
    }
    if (who === 'employee') await audit(p, 'refused');
    for (const path of ['/statistics/compliance?group_by=entity', `/statistics/compliance?entity=${ENTITY}&list=true`,
      '/statistics/completion?group_by=month', '/statistics/ratings', '/statistics/training', '/statistics/mobility',
      ]) {
      const r = await p.request.get(BASE + '/api/v1' + path);
      eq(r.status(), 403, `${who}: GET ${path}`);
    }
    // the deadlines: the API scopes them instead of refusing (nothing for an
    // employee, her own; a manager, his reports): never the organisation's calendar
    const d = await api(p, '/due?from=1970-01-01&to=2100-01-01&limit=1000');
    if (who === 'employee') eq([...new Set((d.obligations || []).map((o) => o.employee_id))], [EMP], 'the employee\'s GET /due: her own only');
    else check((d.total || 0) < orgTotal, `the manager's GET /due holds ${d.total} of the organisation's ${orgTotal} deadlines`);
    await p.context().close();
  }
  check(errors.length === 0, 'CSP reports or page errors: ' + errors.join('; '));
  step('done');
} catch (e) {
  console.error('FAIL: ' + (e && e.message ? e.message : e));
  for (const [i, ctx] of browser.contexts().entries())
    for (const [j, p] of ctx.pages().entries()) await p.screenshot({ path: join(ART, `hr-failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
