'use strict';
// Issue 5: the dispatcher's board updates live. The dispatcher has /dispatch open; a teacher files a ticket through
// the API in another session; the new ticket appears on the board without a reload within 2 s.

const { test, assert } = require('../lib/harness');

const LIMIT_MS = 2000;

test('board: a ticket filed elsewhere appears on /dispatch without reload', async (t) => {
  // Count the page's live connections, so that the ticket is filed only once the board listens.
  const board = await t.newPage('desktop', 'dispatcher');
  await board.addInitScript(() => {
    const Original = window.EventSource;
    if (!Original) return;
    window.__liveSources = [];
    window.EventSource = function (url, init) {
      const source = new Original(url, init);
      window.__liveSources.push(source);
      return source;
    };
    window.EventSource.prototype = Original.prototype;
    Object.assign(window.EventSource, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  });
  await t.login(board, 'dispatch1');
  await board.goto('/dispatch');
  await board.getByRole('heading', { name: 'Leitstand', exact: true }).waitFor();
  await board.waitForFunction(() => (window.__liveSources || []).some((s) => s.readyState === 1), null, { timeout: 5000 });
  await board.evaluate(() => { window.__notReloaded = true; });
  const updatedBefore = await board.locator('main').getAttribute('data-updated');
  await t.screenshot(board, 'board-01-before.png');

  // The teacher files through the API (session + CSRF token), as a second client.
  const api = await t.api();
  const session = await api.post('/api/v1/session', { data: { login: 'teacher-141017', password: 'demo' } });
  assert.equal(session.status(), 200, `login via API: ${await session.text()}`);
  const { csrf_token: csrf } = await session.json();
  assert.ok(csrf, 'the session answer carries a CSRF token');
  const title = `Kein WLAN in B 2.03 (board ${Date.now().toString(36)})`;
  const created = await api.post('/api/v1/tickets', {
    headers: { 'X-CSRF-Token': csrf },
    data: { category: 'network', priority: 'high', title, room: 'B 2.03', description: 'Seit der 3. Stunde kein WLAN.' },
  });
  const filedAt = Date.now();
  assert.equal(created.status(), 201, `filing via API: ${await created.text()}`);
  const { number } = await created.json();
  assert.match(number || '', /^CD-\d{4}-\d{6}$/);

  // It shows up on the open board, in "Neu und noch nicht gesichtet", without a reload.
  const row = board.locator(`main a[href="/tickets/${number}"]`).first();
  await row.waitFor({ state: 'attached', timeout: LIMIT_MS });
  const seenAfter = Date.now() - filedAt;
  process.stdout.write(`    ${number} appeared on the board ${seenAfter} ms after the API answered\n`);
  assert.ok(await board.evaluate(() => window.__notReloaded === true), 'the board updated in place, without a reload');
  const updatedAfter = await board.locator('main').getAttribute('data-updated');
  assert.ok(updatedAfter && updatedAfter !== updatedBefore, '<main data-updated> is set by the live update');
  const fresh = board.locator('section[aria-labelledby="neu"]');
  assert.equal(await fresh.locator(`a[href="/tickets/${number}"]`).count(), 1, 'listed under "Neu und noch nicht gesichtet"');
  assert.match(await fresh.locator(`a[href="/tickets/${number}"]`).innerText(), new RegExp(number));
  await row.scrollIntoViewIfNeeded();
  await t.screenshot(board, 'board-02-after.png');
}, { timeout: 30000 });
