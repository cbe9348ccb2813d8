'use strict';
// Issue 5: the dispatcher's board updates live. The dispatcher has /dispatch open; a teacher files a ticket through
// the API in another session; the new ticket appears on the board without a reload within 2 s.

const { test, assert } = require('../lib/harness');

const LIMIT_MS = 2000;

test('board: a ticket filed elsewhere appears on /dispatch without reload', async (t) => {
  // The ticket is filed only once the board listens.
  const board = await t.openLiveBoard('dispatch1');
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
  assert.ok(await t.stillNotReloaded(board), 'the board updated in place, without a reload');
  const updatedAfter = await board.locator('main').getAttribute('data-updated');
  assert.ok(updatedAfter && updatedAfter !== updatedBefore, '<main data-updated> is set by the live update');
  const fresh = board.locator('section[aria-labelledby="neu"]');
  assert.equal(await fresh.locator(`a[href="/tickets/${number}"]`).count(), 1, 'listed under "Neu und noch nicht gesichtet"');
  assert.match(await fresh.locator(`a[href="/tickets/${number}"]`).innerText(), new RegExp(number));
  await row.scrollIntoViewIfNeeded();
  await t.screenshot(board, 'board-02-after.png');
}, { timeout: 30000 });

// Issue 5, "done when": the dispatcher reassigns and escalates a new ticket from the board (choose, click), and
// enters a manager's holiday so that a new ticket of their schools reaches the substitute.
test('board: reassign and escalate from the board, then cover an absence', async (t) => {
  const api = await t.api();
  const loginApi = async (client, login) => {
    const session = await client.post('/api/v1/session', { data: { login, password: 'demo' } });
    assert.equal(session.status(), 200, `login ${login}: ${await session.text()}`);
    return (await session.json()).csrf_token;
  };
  const teacherCsrf = await loginApi(api, 'teacher-141017');
  const file = async (client, csrf, title) => {
    const created = await client.post('/api/v1/tickets', {
      headers: { 'X-CSRF-Token': csrf },
      data: { category: 'printer', priority: 'normal', title, room: 'A 0.04' },
    });
    assert.equal(created.status(), 201, `filing: ${await created.text()}`);
    return created.json();
  };
  const filed = await file(api, teacherCsrf, `Drucker druckt nicht (${Date.now().toString(36)})`);
  const { number } = filed;

  const dispatcherApi = await t.api();
  await loginApi(dispatcherApi, 'dispatch1');
  const ticketOf = async (n) => (await dispatcherApi.get(`/api/v1/tickets/${n}`)).json();

  const board = await t.newPage('desktop', 'dispatcher-actions');
  await t.login(board, 'dispatch1');
  await board.goto('/dispatch');
  const row = board.locator('li.board-row', { has: board.locator(`a[href="/tickets/${number}"]`) }).first();
  await row.waitFor();

  // Reassign: tick the row, choose another manager in the assignment bar, "Ausgewählte zuweisen"; the board comes
  // back at the row.
  const assign = board.locator('#bulk-manager');
  const options = await assign.locator('option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v !== ''));
  const target = options.find((v) => String(v) !== String(filed.assignee && filed.assignee.id));
  assert.ok(target, 'another manager to assign to');
  await row.locator('input[type="checkbox"]').check();
  await assign.selectOption(target);
  // Issue 16: the board comes back at the ticket's row, saying what happened.
  await Promise.all([board.waitForURL(/\/dispatch\?.*erledigt=zugewiesen.*#neu-/), board.getByRole('button', { name: 'Ausgewählte zuweisen' }).click()]);
  let ticket = await ticketOf(number);
  assert.equal(String(ticket.assignee && ticket.assignee.id), String(target), 'reassigned from the board');
  assert.ok(ticket.events.some((e) => e.kind === 'assigned'), 'the reassignment is in the history');

  // Escalate: "Eskalieren …" opens the confirmation, where the partner is chosen (none is preselected); the ticket
  // waits on the third party and names it.
  const again = board.locator('li.board-row', { has: board.locator(`a[href="/tickets/${number}"]`) }).first();
  await again.getByRole('button', { name: 'Eskalieren …' }).click();
  await board.getByRole('heading', { name: 'Ticket an einen Partner übergeben' }).waitFor();
  assert.equal(await board.locator('select[name="partner"]').inputValue(), '', 'no partner is preselected');
  assert.equal((await ticketOf(number)).status, 'new', 'nothing happens before the confirmation');
  const partner = await board.locator('select[name="partner"] option').nth(1).getAttribute('value');
  await board.locator('select[name="partner"]').selectOption(partner);
  await Promise.all([board.waitForURL(/\/dispatch\?.*erledigt=eskaliert/), board.getByRole('button', { name: 'Ja, jetzt eskalieren' }).click()]);
  ticket = await ticketOf(number);
  assert.equal(ticket.status, 'waiting_on_third_party');
  assert.equal(ticket.partner, partner);
  await t.screenshot(board, 'board-03-after-actions.png');

  // Absence: the manager of school 141017 is away from today for a week; a colleague covers.
  const managers = await (await dispatcherApi.get('/api/v1/managers')).json();
  const absent = managers.find((m) => m.schools.includes('141017'));
  const substitute = managers.find((m) => m.id !== absent.id && !m.absent);
  assert.ok(absent && substitute, 'a manager and a substitute');
  const day = (offset) => new Date(Date.now() + offset * 86400000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  await board.goto('/dispatch/absences');
  await board.getByLabel('Wer ist abwesend?').selectOption(String(absent.id));
  await board.getByRole('button', { name: 'Weiter' }).click();
  await board.getByLabel('Erster Tag').fill(day(0));
  await board.getByLabel('Letzter Tag').fill(day(7));
  await board.getByLabel('Vertretung').selectOption(String(substitute.id));
  await board.getByRole('button', { name: 'Abwesenheit eintragen' }).click();
  await board.locator('section.card li', { hasText: absent.name }).first().waitFor();
  await t.screenshot(board, 'board-04-absence.png');
  const listed = (await (await dispatcherApi.get('/api/v1/managers')).json()).find((m) => m.id === absent.id);
  assert.ok(listed.absent, 'the API shows the absence');
  assert.equal(String(listed.absent.substitute_id), String(substitute.id));

  // A new ticket of that school now goes to the substitute.
  const covered = await file(api, teacherCsrf, `Beamer flackert (${Date.now().toString(36)})`);
  assert.equal(String(covered.assignee && covered.assignee.id), String(substitute.id), 'routed to the substitute');

  // End the absence again; routing goes back to the school's own manager.
  await board.locator('section.card li', { hasText: absent.name }).first().getByRole('button').click();
  await board.getByText('Niemand ist abwesend.').waitFor();
  const back = await file(api, teacherCsrf, `Tablet lädt nicht (${Date.now().toString(36)})`);
  assert.equal(String(back.assignee && back.assignee.id), String(absent.id), 'routed to the own manager again');
}, { timeout: 45000 });
