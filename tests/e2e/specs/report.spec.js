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
