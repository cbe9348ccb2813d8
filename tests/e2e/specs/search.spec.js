'use strict';
// Issue 16, "Search and lists": the help desk finds a ticket by its number and by a word of a reply, reads how many
// match and pages forward and back; a teacher searches their own tickets; a teacher looking at their ticket sees
// the manager's question without reloading.

const { test, assert, loginApi, fileTicket, act } = require('../lib/harness');

const numbersOn = (page) => page.locator('ul.tickets .number').allInnerTexts();

test('search: the help desk finds a ticket by its number and by a word of a reply', async (t) => {
  const teacherApi = await t.api();
  const teacherCsrf = await loginApi(teacherApi, 'teacher-141017');
  const word = `Kabelsalat${Date.now().toString(36)}`;
  const { number } = await fileTicket(teacherApi, teacherCsrf, 'Dokumentenkamera zeigt nichts');
  const managerApi = await t.api();
  const managerCsrf = await loginApi(managerApi, 'manager01');
  await act(managerApi, managerCsrf, number, 'replies', { body: `Vermutlich ${word} hinter dem Pult.`, internal: false });
  await act(managerApi, managerCsrf, number, 'replies', { body: 'Intern: Garantie läuft noch', internal: true });

  const desk = await t.newPage('laptop', 'dispatcher');
  await t.login(desk, 'dispatch1');
  // The full number, typed into the queue's search field.
  await desk.goto('/queue');
  await desk.fill('#f-q', number);
  await desk.selectOption('#f-status', 'alle');
  await Promise.all([desk.waitForURL(/q=/), desk.getByRole('button', { name: 'Filtern' }).click()]);
  assert.deepEqual((await numbersOn(desk)).slice(0, 1), [number], 'the number finds its ticket first');
  assert.match(await desk.locator('#anzahl').innerText(), /^\d+ Treffer für „CD-\d{4}-\d{6}“$/);
  await t.assertAccessible(desk, 'queue with a search');
  await t.screenshot(desk, 'search-01-number.png');
  // The bare number, as people say it on the phone.
  await desk.goto(`/queue?status=alle&q=${Number(number.slice(8))}`);
  assert.ok((await numbersOn(desk)).slice(0, 2).includes(number), 'the bare number finds it among the first');
  // A word of the manager's reply.
  await desk.goto(`/queue?status=alle&q=${word}`);
  assert.deepEqual(await numbersOn(desk), [number]);
  assert.equal(await desk.locator('#anzahl').innerText(), `1 Treffer für „${word}“`);
  // Nothing found says so.
  await desk.goto('/queue?q=Xylophonkonzert');
  assert.match(await desk.locator('main p.empty').innerText(), /^Keine Treffer für „Xylophonkonzert“/);
  assert.equal(await desk.getByText('gut gemacht').count(), 0);
  await t.screenshot(desk, 'search-02-nothing.png');
});

test('search: lists count their tickets and page forward and back', async (t) => {
  const desk = await t.newPage('laptop', 'dispatcher');
  await t.login(desk, 'dispatch1');
  await desk.goto('/queue?status=alle');
  await desk.selectOption('#f-sort', 'created');
  await Promise.all([desk.waitForURL(/sort=created/), desk.getByRole('button', { name: 'Filtern' }).click()]);
  // Several pages: counted only when asked (a second query over the whole filter).
  assert.equal(await desk.locator('#anzahl').count(), 0, 'no count before it is asked for');
  await Promise.all([desk.waitForURL(/count=1/), desk.getByRole('link', { name: 'Anzahl ermitteln' }).click()]);
  const count = await desk.locator('#anzahl').innerText();
  assert.match(count, /^\d{1,3}(\.\d{3})* Tickets$/, `the count: ${count}`);
  const first = await numbersOn(desk);
  assert.equal(first.length, 50);
  assert.equal(await desk.getByRole('link', { name: '← Vorherige Seite' }).count(), 0, 'no way back from the start');
  await Promise.all([desk.waitForURL(/cursor=/), desk.getByRole('link', { name: 'Nächste Seite →' }).click()]);
  const second = await numbersOn(desk);
  assert.ok(second.length > 0 && !first.includes(second[0]), 'the next page goes on');
  assert.equal(await desk.locator('#anzahl').innerText(), count, 'the count is the whole list\'s');
  await t.screenshot(desk, 'search-03-second-page.png');
  await Promise.all([desk.waitForURL(/before=/), desk.getByRole('link', { name: '← Vorherige Seite' }).click()]);
  assert.deepEqual(await numbersOn(desk), first, 'back to the same first page');
  assert.equal(await desk.getByRole('link', { name: '← Vorherige Seite' }).count(), 0);
  await t.assertAccessible(desk, 'queue paged back');
});

test('search: a teacher searches their own tickets, never others\' or internal notes', async (t) => {
  const word = `Tafelstift${Date.now().toString(36)}`;
  const ownApi = await t.api();
  const ownCsrf = await loginApi(ownApi, 'teacher-141017');
  const mine = await fileTicket(ownApi, ownCsrf, `Whiteboard ${word} trocken`);
  const otherApi = await t.api();
  const otherCsrf = await loginApi(otherApi, 'teacher-148037');
  const theirs = await fileTicket(otherApi, otherCsrf, `Whiteboard ${word} weg`);
  const managerApi = await t.api();
  const managerCsrf = await loginApi(managerApi, 'manager01');
  await act(managerApi, managerCsrf, mine.number, 'replies', { body: 'Notiz nur intern: Lagerbestand Tafelstifte', internal: true });

  const teacher = await t.newPage('ipad', 'teacher');
  await t.login(teacher, 'teacher-141017');
  await teacher.goto('/tickets');
  await teacher.fill('#f-q', word);
  await Promise.all([teacher.waitForURL(/q=/), teacher.getByRole('button', { name: 'Suchen' }).click()]);
  assert.deepEqual(await numbersOn(teacher), [mine.number], 'only the own ticket');
  assert.equal(await teacher.locator('#anzahl').innerText(), `1 Treffer für „${word}“`);
  await t.assertAccessible(teacher, 'teacher search');
  await t.screenshot(teacher, 'search-04-teacher.png');
  for (const hidden of ['Lagerbestand', theirs.number]) {
    await teacher.goto(`/tickets?q=${encodeURIComponent(hidden)}`);
    assert.equal((await numbersOn(teacher)).length, 0, `nothing for ${hidden}`);
    assert.match(await teacher.locator('main p.empty').innerText(), /^Keine Treffer für/);
  }
  // Open and done ones apart.
  await teacher.goto(`/tickets?status=erledigt&q=${word}`);
  assert.equal((await numbersOn(teacher)).length, 0);
  await teacher.goto(`/tickets?status=offen&q=${word}`);
  assert.deepEqual(await numbersOn(teacher), [mine.number]);
});

test('search: the ticket page shows the manager\'s question without a reload', async (t) => {
  const teacherApi = await t.api();
  const teacherCsrf = await loginApi(teacherApi, 'teacher-141017');
  const { number } = await fileTicket(teacherApi, teacherCsrf, 'Lautsprecher knacken');

  const teacher = await t.newPage('ipad', 'teacher');
  await teacher.addInitScript(() => {
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
  await t.login(teacher, 'teacher-141017');
  await teacher.goto(`/tickets/${number}`);
  await teacher.waitForFunction(() => (window.__liveSources || []).some((s) => s.readyState === 1), null, { timeout: 5000 });
  assert.ok(await teacher.evaluate(() => window.__liveSources[0].url.endsWith(`?ticket=${document.querySelector('h1 .number').textContent}`)),
    'the page listens to its own ticket only');
  await teacher.evaluate(() => { window.__notReloaded = true; });

  // The campus manager asks, in another browser.
  const manager = await t.newPage('desktop', 'manager');
  await t.login(manager, 'manager01');
  await manager.goto(`/tickets/${number}`);
  await manager.selectOption('#status', 'waiting_on_requester');
  await manager.fill('#status-note', 'Knackt es bei allen Geräten oder nur beim Beamer?');
  await Promise.all([manager.waitForURL(`**/tickets/${number}#verlauf`), manager.getByRole('button', { name: 'Status setzen' }).click()]);

  // The teacher's open page shows it within two seconds, in place, at the top (and in the history).
  await teacher.locator('section.question').getByText('Knackt es bei allen Geräten oder nur beim Beamer?').waitFor({ timeout: 2000 });
  assert.equal(await teacher.locator('.timeline').getByText('Knackt es bei allen Geräten oder nur beim Beamer?').count(), 1);
  assert.ok(await teacher.evaluate(() => window.__notReloaded === true), 'updated in place, without a reload');
  assert.equal((await teacher.locator('.facts .badge[class*="status-"]').innerText()).trim(), 'Rückfrage – wartet auf Ihre Antwort');
  await t.screenshot(teacher, 'search-05-live-question.png');
}, { timeout: 30000 });
