'use strict';
// Issue 20: the browser through Debian's nginx (TLS, HTTP/2) in front of campusdesk, run by tests/proxy/run with
// the shipped config/nginx/campusdesk.conf: a login, a ticket with a photo upload, and the live board, whose
// Server-Sent Events must pass nginx unbuffered.

const { test, assert } = require('../e2e/lib/harness');

// The board must show a change made in another session within a few seconds (through the proxy).
const LIVE_LIMIT_MS = 3000;

async function protocolOf(page) {
  return page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);
}

test('proxy: login and a ticket with a photo over HTTPS and HTTP/2', async (t) => {
  assert.match(t.baseURL, /^https:\/\//, 'the browser talks to nginx over HTTPS');
  const teacher = await t.newPage('desktop', 'teacher');
  await t.login(teacher, 'teacher-141017');
  assert.equal(await protocolOf(teacher), 'h2', 'nginx speaks HTTP/2 to the browser');
  const cookies = await teacher.context().cookies();
  const session = cookies.find((c) => c.name === '__Host-cd_session');
  assert.ok(session && session.secure, 'behind HTTPS the session cookie is __Host- and Secure');

  const title = `Beamer im Raum C 3.01 (proxy ${Date.now().toString(36)})`;
  await teacher.goto('/tickets/new');
  await teacher.getByLabel('Was ist betroffen?').selectOption({ label: 'Präsentation (Tafel, Beamer, Display)' });
  await teacher.locator('input[name="priority"][value="high"]').check();
  await teacher.getByLabel('Kurzbeschreibung (Pflichtangabe)', { exact: true }).fill(title);
  await teacher.locator('input#files[name="files"][type="file"]').setInputFiles(t.photoFile('beamer-proxy.png'));
  await Promise.all([
    teacher.waitForURL(/\/tickets\/CD-\d{4}-\d{6}/),
    teacher.getByRole('button', { name: 'Meldung absenden' }).click(),
  ]);
  await teacher.getByText('Ihre Meldung ist eingegangen').waitFor();
  const thumb = teacher.locator('section.attachments img.thumb[alt="beamer-proxy.png"]').first();
  await thumb.waitFor({ state: 'visible', timeout: 5000 });
  assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth === 32),
    'the uploaded photo comes back through nginx');
  await t.screenshot(teacher, 'proxy-01-ticket-with-photo.png');
});

test('proxy: the live board receives a change from another session through nginx', async (t) => {
  const board = await t.openLiveBoard('dispatch1');

  // Another session files a ticket through nginx as well.
  const api = await t.api();
  const session = await api.post('/api/v1/session', { data: { login: 'teacher-141017', password: 'demo' } });
  assert.equal(session.status(), 200, `login via API: ${await session.text()}`);
  const { csrf_token: csrf } = await session.json();
  const created = await api.post('/api/v1/tickets', {
    headers: { 'X-CSRF-Token': csrf },
    data: { category: 'network', priority: 'high', title: `Kein WLAN (proxy ${Date.now().toString(36)})`, room: 'B 2.03' },
  });
  const filedAt = Date.now();
  assert.equal(created.status(), 201, `filing via API: ${await created.text()}`);
  const { number } = await created.json();

  await board.locator(`main a[href="/tickets/${number}"]`).first().waitFor({ state: 'attached', timeout: LIVE_LIMIT_MS });
  process.stdout.write(`    ${number} appeared on the board ${Date.now() - filedAt} ms after the API answered (through nginx)\n`);
  assert.ok(await t.stillNotReloaded(board), 'the board updated in place, without a reload');
  await t.screenshot(board, 'proxy-02-live-board.png');
}, { timeout: 30000 });
