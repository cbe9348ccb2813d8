'use strict';
// Issue 6: the monthly SLA report page, rendered in Chromium on a phone and at A4 size (plus an A4 PDF).

const { test, assert } = require('../lib/harness');

// The current month on the service's wall clock (Europe/Berlin).
function currentMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}`;
}

const HEADINGS = ['Überblick', 'Verlauf der letzten zwölf Monate', 'Je Campus-Manager', 'Je Priorität',
  'Je Kategorie', 'Je Schule'];

async function checkReport(t, page, month, where) {
  const response = await page.goto(`/reports/sla?month=${month}`);
  assert.equal(response.status(), 200, `${where}: /reports/sla answers 200`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  assert.match(await page.locator('main h1').innerText(), /^SLA-Bericht /);
  const h2 = (await page.locator('main h2').allInnerTexts()).map((s) => s.trim());
  for (const heading of HEADINGS) assert.ok(h2.includes(heading), `${where}: heading "${heading}" (have: ${h2.join(' | ')})`);
  // Charts are inline SVG drawn by the server, and actually take space on the page.
  const svgs = page.locator('main svg');
  assert.ok((await svgs.count()) >= 1, `${where}: an inline <svg> chart`);
  const box = await svgs.first().boundingBox();
  assert.ok(box && box.width > 50 && box.height > 20, `${where}: the chart is drawn (${JSON.stringify(box)})`);
  const widest = await svgs.evaluateAll((list) => Math.max(...list.map((s) => s.getBoundingClientRect().right)));
  assert.ok(widest <= page.viewportSize().width + 1, `${where}: charts fit the width (right edge ${widest})`);
  // The demo data has tickets over the last 60 days; the month's figure links to the tickets behind it.
  const tickets = page.locator('.figures div', { has: page.locator('dt', { hasText: /^Tickets$/ }) }).locator('dd a');
  const count = Number((await tickets.innerText()).replace(/\D/g, ''));
  assert.ok(count > 0 || new Date().getDate() <= 2, `${where}: the month has tickets (${count})`);
  assert.match(await tickets.getAttribute('href'), /\/reports\/sla\?/);
  return count;
}

test('report: SLA report of the current month on a phone and at A4', async (t) => {
  const month = currentMonth();

  const phone = await t.newPage('phone', 'report-phone');
  await t.login(phone, 'dispatch1');
  const count = await checkReport(t, phone, month, 'phone');
  await t.assertNoHorizontalScroll(phone, 'SLA report on a phone');
  await t.screenshot(phone, 'report-phone.png');
  process.stdout.write(`    ${month}: ${count} tickets in the report\n`);

  const paper = await t.newPage('a4', 'report-a4');
  await t.login(paper, 'dispatch1');
  await checkReport(t, paper, month, 'A4 screen');
  await t.screenshot(paper, 'report-a4.png');
  // The print stylesheet: navigation and downloads are hidden, the report itself stays.
  await paper.emulateMedia({ media: 'print' });
  assert.equal(await paper.locator('.report-nav').isVisible(), false, 'print: month navigation hidden');
  assert.equal(await paper.locator('header.top').isVisible(), false, 'print: page header hidden');
  assert.ok(await paper.locator('main svg').first().isVisible(), 'print: the charts are printed');
  await t.screenshot(paper, 'report-a4-print.png');
  await paper.pdf({ path: `${t.artifacts}/report-a4.pdf`, format: 'A4', printBackground: true });
  t.screenshots.push('report-a4.pdf');
}, { timeout: 40000 });

// The month `n` months after `month` ("YYYY-MM").
function monthAfter(month, n) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

// The file name a download is saved under (Content-Disposition).
function savedName(response) {
  const m = /filename="([^"]+)"/.exec(response.headers()['content-disposition'] || '');
  return m ? m[1] : '';
}

// The sheet names of an XLSX in their order (xl/workbook.xml), read by python's zipfile.
function sheetNames(bytes) {
  const { execFileSync } = require('node:child_process');
  const xml = execFileSync('python3', ['-c',
    'import sys, zipfile, io; print(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read("xl/workbook.xml").decode())'],
  { input: bytes }).toString();
  return [...xml.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
}

test('report: German downloads, tables that fit at 1366 px, a future month not yet begun', async (t) => {
  const month = currentMonth();
  const page = await t.newPage('laptop', 'report-1366');
  await t.login(page, 'dispatch1');
  assert.equal((await page.goto(`/reports/sla?month=${month}`)).status(), 200);

  // Every table fits its box: nothing (the breach column) is cut off or needs scrolling at 1366 px.
  const wraps = page.locator('main .table-wrap');
  assert.ok((await wraps.count()) >= 4, 'the four summary tables');
  const cut = await wraps.evaluateAll((list) => list
    .filter((w) => w.scrollWidth > w.clientWidth + 1)
    .map((w) => `${w.closest('section').querySelector('h2').textContent} (${w.scrollWidth} > ${w.clientWidth})`));
  assert.deepEqual(cut, [], 'no report table overflows its box at 1366 px');
  await t.assertNoHorizontalScroll(page, 'SLA report at 1366 px');
  await t.screenshot(page, 'report-1366.png');

  // Two CSV downloads: the machine CSV of SLA.md §4 and a German one for Excel, saved under different names.
  const machineLink = page.getByRole('link', { name: /CSV für Programme/ });
  const germanLink = page.getByRole('link', { name: /CSV für Excel/ });
  const machine = await page.request.get(await machineLink.getAttribute('href'));
  const german = await page.request.get(await germanLink.getAttribute('href'));
  assert.equal(machine.status(), 200);
  assert.equal(german.status(), 200);
  assert.equal(savedName(machine), `sla-${month}.csv`, 'the machine CSV keeps its name');
  assert.match(savedName(german), new RegExp(`^SLA-Bericht-${month}-Excel\\.csv$`));
  const machineText = (await machine.body()).toString('utf8');
  assert.ok(machineText.startsWith('\uFEFFticket,school_number,school_name,campus_manager,priority,category,created_at,'),
    'the machine CSV keeps the §4 header');
  const germanText = (await german.body()).toString('utf8');
  const [header, ...rows] = germanText.split('\r\n').filter((l) => l);
  assert.ok(header.startsWith('\uFEFFTicket;Schulnummer;Schule;Campus-Manager;Priorität;Kategorie;Erstellt;'),
    `German headers separated by semicolons (have: ${header.slice(0, 80)})`);
  assert.ok(rows.length > 0, 'the German CSV has the month\'s tickets');
  assert.ok(!/(^|;)(met|breached|running|paused|true|false)(;|$)/.test(rows.join('\n')), 'no English values');
  assert.ok(rows.some((r) => /;(eingehalten|verfehlt|läuft|pausiert);/.test(r)), 'verdicts in German');
  assert.match(rows[0], /;\d{2}\.\d{2}\.\d{4} \d{2}:\d{2};/, 'dates as German Excel reads them');

  // The XLSX opens on its summary; its tickets name the campus manager with the login.
  const xlsx = await page.request.get(await page.getByRole('link', { name: /Excel \(XLSX\)/ }).getAttribute('href'));
  assert.equal(savedName(xlsx), `SLA-Bericht-${month}.xlsx`);
  assert.deepEqual(sheetNames(await xlsx.body()), ['Zusammenfassung', 'Campus-Manager', 'Schulen', 'Tickets', 'Störungen', 'Wartung', 'Geräte']);

  // A month that has not begun says so (not "läuft noch"); the running month says it is running.
  const hint = page.locator('main .hint').first();
  assert.match(await hint.innerText(), /Der Monat läuft noch/);
  assert.equal((await page.goto(`/reports/sla?month=${monthAfter(month, 2)}`)).status(), 200);
  const future = await page.locator('main .hint').first().innerText();
  assert.match(future, /Dieser Monat hat noch nicht begonnen/);
  assert.doesNotMatch(future, /läuft noch/);
}, { timeout: 40000 });

test('report: accessible at 1366 px in light and dark mode (axe; chart links reachable)', async (t) => {
  const page = await t.newPage('laptop', 'report-a11y');
  await t.login(page, 'dispatch1');
  await page.goto(`/reports/sla?month=${currentMonth()}`);
  // The charts' links to the tickets behind a bar are links a screen reader reaches, not parts of an image.
  const chartLinks = page.locator('main svg.chart a');
  assert.ok((await chartLinks.count()) > 0, 'the charts link to their tickets');
  assert.equal(await page.locator('main svg[role="img"] a').count(), 0, 'no link inside an image');
  assert.ok((await page.getByRole('link', { name: /\(\d+ Tickets\)/ }).count()) > 0, 'a chart link found by its role and name');
  const result = await t.assertAccessible(page, 'SLA report');
  assert.ok(result.passes.some((r) => r.id === 'nested-interactive') || result.inapplicable.some((r) => r.id === 'nested-interactive'));
  assert.deepEqual(await page.locator('header nav a[aria-current="page"]').allInnerTexts(), ['SLA-Bericht']);
  await t.assertAccessible(page, 'SLA report (dark mode)', { dark: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await t.screenshot(page, 'report-dark-1366.png');
  await page.emulateMedia({ colorScheme: 'light' });
  // The check can fail: the charts as they were (role="img" around links) are what axe reports.
  await page.evaluate(() => document.querySelectorAll('svg.chart').forEach((svg) => svg.setAttribute('role', 'img')));
  const before = await t.axe(page);
  const nested = before.violations.find((v) => v.id === 'nested-interactive');
  assert.ok(nested && nested.impact === 'serious', 'axe reports links inside role=img as nested-interactive');
}, { timeout: 40000 });
