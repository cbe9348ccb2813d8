'use strict';
// Issue 16, "Deadlines people can read" and "Safe actions and errors where the eye is": each test walks the real
// pages as the person concerned and checks what they read and where their eye and focus land.

const { test, assert, loginApi, fileTicket, act } = require('../lib/harness');

const WEEKDAYS = ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'];
const MONTHS = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober',
  'November', 'Dezember'];

// "Mittwoch, 2. Dezember, 10:30 Uhr" for an ISO instant, in Berlin time (the year only when it is not this year).
function inWords(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23', weekday: 'short',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const weekday = WEEKDAYS[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday)];
  const thisYear = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', year: 'numeric' }).format(new Date());
  const year = parts.year === thisYear ? '' : ` ${parts.year}`;
  return `${weekday}, ${Number(parts.day)}. ${MONTHS[Number(parts.month) - 1]}${year}, ${parts.hour}:${parts.minute} Uhr`;
}

// Every id on the page once, every aria-describedby pointing at an element that exists.
async function assertIdsSound(page, where) {
  const problems = await page.evaluate(() => {
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => `duplicate id ${id}`);
    const dangling = [];
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of el.getAttribute('aria-describedby').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) dangling.push(`aria-describedby → missing #${id}`);
      }
    }
    return [...duplicates, ...dangling];
  });
  assert.deepEqual(problems, [], `${where}: ${problems.slice(0, 5).join('; ')}`);
}

test('ux: the queue says which clock is due, date first, and the business time left', async (t) => {
  const page = await t.newPage('desktop', 'manager');
  await t.login(page, 'manager01');
  await page.goto('/queue');
  const dues = await page.locator('.ticket-row .due').allInnerTexts();
  assert.ok(dues.length > 0, 'the queue lists tickets');
  const shape = /^(Erste Reaktion|Lösung) fällig: \d\d\.\d\d\.\d{4}, \d\d:\d\d( \((überschritten|noch \d+ (Minuten?|Geschäftsstunden?|Geschäftstage?)( \d+ (Minuten?|Geschäftsstunden?))?)\))?$|^—$/;
  for (const text of dues) assert.match(text.trim(), shape);
  assert.ok(dues.some((d) => /noch \d+ Geschäfts/.test(d)) || dues.some((d) => /überschritten/.test(d)),
    `some row shows business time or a breach: ${dues.slice(0, 3).join(' | ')}`);
  // One state per ticket: never both badges in a row.
  const both = await page.locator('.ticket-row:has(.sla-breached):has(.sla-risk)').count();
  assert.equal(both, 0, 'no row is both "Frist überschritten" and "Frist bald erreicht"');
  await t.screenshot(page, 'ux-01-queue-due.png');

  // The staff's ticket page: the date first, then the remainder as business time.
  const api = await t.api();
  const csrf = await loginApi(api, 'teacher-141017');
  const { number } = await fileTicket(api, csrf, `Beamer ohne Bild (ux ${Date.now().toString(36)})`);
  await page.goto(`/tickets/${number}`);
  const clocks = await page.locator('section.sla li').allInnerTexts();
  assert.match(clocks[0], /^Erste Reaktion fällig bis \d\d\.\d\d\.\d{4}, \d\d:\d\d – noch \d+ (Geschäftsstunden?|Geschäftstage?|Minuten?)/);
  assert.match(clocks[1], /^Lösung fällig bis \d\d\.\d\d\.\d{4}, \d\d:\d\d – noch \d+ Geschäftstage?/);
});

test('ux: the board counts and ids: every row, label and id unique, counts with links', async (t) => {
  const page = await t.newPage('desktop', 'dispatcher');
  await t.login(page, 'dispatch1');
  await page.goto('/dispatch');
  await assertIdsSound(page, 'board');
  // Every select and checkbox of a row has its own label naming the ticket.
  const names = await page.locator('li.board-row select, li.board-row input[type=checkbox]').evaluateAll((els) =>
    els.map((el) => (el.labels && el.labels[0] ? el.labels[0].innerText.trim() : '')));
  assert.ok(names.length > 0 && names.every((n) => /CD-\d{4}-\d{6}/.test(n)), 'each control is labelled with its ticket');
  assert.equal(new Set(names).size, names.length, 'no two controls share a label');
  // Every row button ("Gesichtet", "Eskalieren …") names its ticket and section, so no two share a name.
  const buttons = await page.locator('li.board-row button').evaluateAll((bs) => bs.map((b) => [b.innerText.trim(), b.getAttribute('aria-label') || '']));
  const seen = buttons.filter(([text]) => text === 'Gesichtet').map(([, name]) => name);
  assert.ok(seen.length > 0 && seen.every((n) => /^CD-\d{4}-\d{6} \(.+\) als gesichtet markieren$/.test(n)), 'every "Gesichtet" names its ticket');
  const escalations = buttons.filter(([text]) => text === 'Eskalieren …').map(([, name]) => name);
  assert.ok(escalations.length > 0 && escalations.every((n) => /^CD-\d{4}-\d{6} \(.+\) eskalieren …$/.test(n)), 'every "Eskalieren …" names its ticket');
  const all = buttons.map(([, name]) => name);
  assert.equal(new Set(all).size, all.length, 'no two row buttons share a name');
  for (const [section, link] of [['neu', '/queue?status=new'], ['ueberfaellig', '/queue?breached=1'], ['gefaehrdet', '/queue?at_risk=1']]) {
    const heading = await page.locator(`#${section}`).innerText();
    const count = Number((heading.match(/\((\d+)\)/) || [])[1]);
    const rows = await page.locator(`section[aria-labelledby="${section}"] li.board-row`).count();
    assert.ok(count >= rows, `${section}: the heading counts all (${count}), at least the ${rows} listed`);
    if (count > rows) {
      assert.equal(await page.locator(`section[aria-labelledby="${section}"] a[href="${link}"]`).count(), 1,
        `${section}: a link to all ${count}`);
    }
  }
  // Due times on the board name their clock too.
  const due = await page.locator('li.board-row .meta').first().innerText();
  assert.match(due, /(Erste Reaktion|Lösung) fällig: /);
});

test('ux: a teacher reads when to expect help, and that the clock waits for their answer', async (t) => {
  const teacherApi = await t.api();
  const csrf = await loginApi(teacherApi, 'teacher-148037');
  const title = `Tablet startet nicht (ux ${Date.now().toString(36)})`;
  const filed = await fileTicket(teacherApi, csrf, title, { category: 'ipad' });
  const { number } = filed;
  const ticket = await (await teacherApi.get(`/api/v1/tickets/${number}`)).json();
  const firstDue = ticket.sla.first_response.due_at;
  const solutionDue = ticket.sla.resolution.due_at;
  assert.ok(firstDue && solutionDue, 'the API has both due times');

  const teacher = await t.newPage('ipad', 'teacher');
  await t.login(teacher, 'teacher-148037');
  await teacher.goto(`/tickets/${number}`);
  const box = teacher.locator('section.expectations');
  await box.waitFor();
  const text = await box.innerText();
  assert.ok(text.includes(`Eine erste Antwort erhalten Sie bis ${inWords(firstDue)}.`), `first response in words: ${text}`);
  assert.ok(text.includes(`Die Lösung ist vorgesehen bis ${inWords(solutionDue)}.`), `resolution in words: ${text}`);
  await t.screenshot(teacher, 'ux-02-teacher-expectations.png');
  // "Meine Tickets" says the same, short.
  await teacher.goto('/tickets');
  const row = teacher.locator(`.tickets a[href="/tickets/${number}"]`);
  assert.ok((await row.innerText()).includes(`Erste Antwort bis ${inWords(firstDue)}`), 'Meine Tickets: first answer due');

  // The manager answers and asks back: the first response is met, the resolution waits on the teacher.
  const managerApi = await t.api();
  const managerCsrf = await loginApi(managerApi, 'manager01');
  await act(managerApi, managerCsrf, number, 'replies', { body: 'Ich schaue es mir an.', internal: false });
  await act(managerApi, managerCsrf, number, 'status', { status: 'waiting_on_requester', note: 'Welches Modell ist es?' });
  await teacher.goto(`/tickets/${number}`);
  const waiting = await teacher.locator('section.expectations').innerText();
  assert.match(waiting, /Wir warten auf Ihre Antwort auf unsere Rückfrage\. Solange ist die Frist für die Lösung angehalten/);
  assert.ok(!waiting.includes('Eine erste Antwort'), 'the first answer has come');
  assert.equal((await teacher.locator('.facts .badge[class*="status-"]').innerText()).trim(), 'Rückfrage – wartet auf Ihre Antwort');
  await teacher.goto('/tickets');
  assert.match(await teacher.locator(`.tickets a[href="/tickets/${number}"]`).innerText(), /Wartet auf Ihre Antwort – die Frist ist so lange angehalten/);
  await t.screenshot(teacher, 'ux-03-teacher-waiting.png');

  // Staff read whom it waits for, and what the teacher will read of their notes.
  const manager = await t.newPage('desktop', 'manager');
  await t.login(manager, 'manager01');
  await manager.goto(`/tickets/${number}`);
  assert.equal((await manager.locator('.facts .badge[class*="status-"]').innerText()).trim(), 'Rückfrage – wartet auf Antwort der Lehrkraft');
  for (const id of ['status-note', 'priority-note', 'escalate-note']) {
    assert.match(await manager.locator(`label[for="${id}"]`).innerText(), /für die Lehrkraft sichtbar/, `label of #${id}`);
  }
  assert.match(await manager.locator('section.sla').innerText(), /Lösung: pausiert — wartet auf Antwort der Lehrkraft/);
});

test('ux: resolving without a note: error at the field, focus there, entries kept, the ticket\'s URL', async (t) => {
  const api = await t.api();
  const csrf = await loginApi(api, 'teacher-141017');
  const { number } = await fileTicket(api, csrf, `Dokumentenkamera dunkel (ux ${Date.now().toString(36)})`);
  const manager = await t.newPage('ipad', 'manager');
  await t.login(manager, 'manager01');
  await manager.goto(`/tickets/${number}`);
  await assertIdsSound(manager, 'ticket page');
  await manager.locator('#status').selectOption('resolved');
  await manager.getByRole('button', { name: 'Status setzen' }).click();
  await manager.waitForLoadState('load');
  const url = new URL(manager.url());
  assert.equal(url.pathname, `/tickets/${number}`, 'the URL stays the ticket\'s');
  assert.match(await manager.title(), /^Fehler: /, 'the title says there is an error');
  const note = manager.locator('#status-note');
  assert.equal(await note.getAttribute('aria-invalid'), 'true');
  assert.equal(await manager.evaluate(() => document.activeElement && document.activeElement.id), 'status-note', 'focus on the note');
  assert.equal(await manager.locator('#status').inputValue(), 'resolved', 'the chosen status is kept');
  const error = manager.locator('#status-note-fehler');
  assert.match(await error.innerText(), /Lösungsnotiz/);
  // The error is where the eye is: in the viewport, right at the field.
  const inView = await error.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; });
  assert.ok(inView, 'the error is on screen');
  await assertIdsSound(manager, 'ticket page with error');
  await t.screenshot(manager, 'ux-04-resolve-without-note.png');
  // Fixing it works from there.
  await note.fill('Lampe getauscht.');
  await Promise.all([manager.waitForURL(`**/tickets/${number}#verlauf`), manager.getByRole('button', { name: 'Status setzen' }).click()]);
  assert.equal((await manager.locator('.facts .badge[class*="status-"]').innerText()).trim(), 'Gelöst');
});

test('ux: the new-ticket form marks its fields, summarises errors with links and asks for the photo again', async (t) => {
  const teacher = await t.newPage('phone', 'teacher');
  await t.login(teacher, 'teacher-141017');
  await teacher.goto('/tickets/new');
  await assertIdsSound(teacher, 'empty form');
  for (const [id, mark] of [['category', 'Pflichtangabe'], ['title', 'Pflichtangabe'], ['room', 'optional'], ['asset_tag', 'optional'], ['description', 'optional'], ['files', 'optional']]) {
    assert.match(await teacher.locator(`label[for="${id}"]`).innerText(), new RegExp(mark), `#${id} is marked ${mark}`);
  }
  assert.match(await teacher.locator('fieldset legend').innerText(), /Pflichtangabe/);
  await teacher.locator('#room').fill('C 2.01');
  await teacher.locator('#files').setInputFiles(t.photoFile('kabel-foto.png'));
  await teacher.getByRole('button', { name: 'Meldung absenden' }).click();
  await teacher.locator('.error-summary').waitFor();
  assert.match(await teacher.title(), /^Fehler: /);
  assert.equal(await teacher.evaluate(() => document.activeElement && document.activeElement.className), 'error-summary', 'focus on the summary');
  const links = await teacher.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#category', '#priority-critical', '#title']);
  assert.equal(await teacher.locator('#title').getAttribute('aria-invalid'), 'true');
  assert.equal(await teacher.locator('#room').inputValue(), 'C 2.01', 'entries are kept');
  assert.match(await teacher.locator('#files-hinweis').innerText(), /Bitte wählen Sie Ihre Dateien noch einmal aus:.*kabel-foto\.png/);
  await assertIdsSound(teacher, 'form with errors');
  await t.screenshot(teacher, 'ux-05-form-errors.png');
  await teacher.locator('.error-summary a[href="#title"]').click();
  assert.equal(await teacher.evaluate(() => document.activeElement && document.activeElement.id), 'title', 'the summary link leads to the field');
});

test('ux: board actions are deliberate, say what happened and keep the place; several at once', async (t) => {
  const api = await t.api();
  const csrf = await loginApi(api, 'teacher-141017');
  const stamp = Date.now().toString(36);
  const one = await fileTicket(api, csrf, `WLAN weg A (ux ${stamp})`, { category: 'network' });
  const two = await fileTicket(api, csrf, `WLAN weg B (ux ${stamp})`, { category: 'network' });
  const three = await fileTicket(api, csrf, `WLAN weg C (ux ${stamp})`, { category: 'network' });
  const dispatcherApi = await t.api();
  await loginApi(dispatcherApi, 'dispatch1');
  const ticketOf = async (n) => (await dispatcherApi.get(`/api/v1/tickets/${n}`)).json();
  const managers = await (await dispatcherApi.get('/api/v1/managers')).json();
  const other = managers.find((m) => m.id !== one.assignee.id);

  const board = await t.newPage('desktop', 'dispatcher');
  await t.login(board, 'dispatch1');
  await board.goto('/dispatch');
  const rowOf = (n) => board.locator(`#neu-${n}`);
  // Gesichtet: the new ticket is in progress; the board says so.
  await rowOf(one.number).waitFor();
  await Promise.all([board.waitForURL(/erledigt=gesichtet/), rowOf(one.number).getByRole('button', { name: `${one.number} (Neu) als gesichtet markieren` }).click()]);
  assert.equal((await ticketOf(one.number)).status, 'open');
  assert.match(await board.locator('#meldung').innerText(), new RegExp(`Ticket ${one.number} ist als gesichtet markiert`));
  assert.equal(await rowOf(one.number).count(), 0, 'no longer under "Neu und noch nicht gesichtet"');

  // Assign one (tick it, choose in the assignment bar): back at its row, with the message in the row, scrolled there.
  await rowOf(two.number).locator('input[type=checkbox]').check();
  await board.locator('#bulk-manager').selectOption(String(other.id));
  await Promise.all([board.waitForURL(new RegExp(`#neu-${two.number}$`)), board.getByRole('button', { name: 'Ausgewählte zuweisen' }).click()]);
  assert.match(await rowOf(two.number).locator('.row-notice').innerText(), new RegExp(`ist jetzt ${other.name} zugewiesen`));
  const rowInView = await rowOf(two.number).evaluate((el) => { const r = el.getBoundingClientRect(); return { ok: r.top > -2 && r.top < window.innerHeight, top: r.top, y: window.scrollY, h: window.innerHeight }; });
  assert.ok(rowInView.ok, `the page stays at the ticket's row: ${JSON.stringify(rowInView)}`);
  await t.screenshot(board, 'ux-06-board-assigned.png');

  // Several at once: tick two (one of them already with that manager), choose, one click.
  await rowOf(two.number).locator('input[type=checkbox]').check();
  await rowOf(three.number).locator('input[type=checkbox]').check();
  await board.locator('#bulk-manager').selectOption(String(other.id));
  await Promise.all([board.waitForURL(/erledigt=sammel/), board.getByRole('button', { name: 'Ausgewählte zuweisen' }).click()]);
  const message = await board.locator('#meldung').innerText();
  assert.match(message, new RegExp(`1 Ticket wurde ${other.name} zugewiesen\\. Nicht zugewiesen: ${two.number} \\(ist bereits so zugewiesen\\)`));
  const third = await ticketOf(three.number);
  assert.equal(third.assignee.id, other.id);
  assert.ok(third.events.some((e) => e.kind === 'assigned'), 'the bulk assignment is an event of the ticket');
  await t.screenshot(board, 'ux-07-board-bulk.png');
});

test('ux: withdrawing is confirmed, reopening asks for the reason', async (t) => {
  const api = await t.api();
  const csrf = await loginApi(api, 'teacher-141017');
  const stamp = Date.now().toString(36);
  const gone = await fileTicket(api, csrf, `Drucker offline (ux ${stamp})`, { category: 'printer' });
  const back = await fileTicket(api, csrf, `Beamer flackert (ux ${stamp})`);
  const managerApi = await t.api();
  const managerCsrf = await loginApi(managerApi, 'manager01');
  await act(managerApi, managerCsrf, back.number, 'status', { status: 'resolved', note: 'Kabel getauscht.' });

  const teacher = await t.newPage('phone', 'teacher');
  await t.login(teacher, 'teacher-141017');
  await teacher.goto(`/tickets/${gone.number}`);
  // The browser refuses the unticked form; without that check the server refuses it too.
  await teacher.locator('#zurueckziehen').evaluate((form) => { form.noValidate = true; });
  await teacher.getByRole('button', { name: 'Meldung zurückziehen' }).click();
  await teacher.locator('#sure-fehler').waitFor();
  assert.equal(new URL(teacher.url()).pathname, `/tickets/${gone.number}`);
  assert.equal(await teacher.evaluate(() => document.activeElement && document.activeElement.id), 'sure');
  assert.notEqual((await (await api.get(`/api/v1/tickets/${gone.number}`)).json()).status, 'closed', 'nothing happened');
  await teacher.locator('#sure').check();
  await teacher.locator('#withdraw-note').fill('Hat sich nach Neustart erledigt.');
  await Promise.all([teacher.waitForURL(/#verlauf$/), teacher.getByRole('button', { name: 'Meldung zurückziehen' }).click()]);
  assert.equal((await (await api.get(`/api/v1/tickets/${gone.number}`)).json()).status, 'closed');

  await teacher.goto(`/tickets/${back.number}`);
  await teacher.locator('#wieder-oeffnen').evaluate((form) => { form.noValidate = true; });
  await teacher.getByRole('button', { name: 'Nein, wieder öffnen' }).click();
  await teacher.locator('#reopen-note-fehler').waitFor();
  assert.equal(await teacher.evaluate(() => document.activeElement && document.activeElement.id), 'reopen-note');
  assert.match(await teacher.title(), /^Fehler: /);
  await t.screenshot(teacher, 'ux-08-reopen-reason.png');
  await teacher.locator('#reopen-note').fill('Das Bild flackert weiterhin.');
  await Promise.all([teacher.waitForURL(/#verlauf$/), teacher.getByRole('button', { name: 'Nein, wieder öffnen' }).click()]);
  const reopened = await (await api.get(`/api/v1/tickets/${back.number}`)).json();
  assert.equal(reopened.status, 'open');
  const last = reopened.events[reopened.events.length - 1];
  assert.equal(last.kind, 'reopened');
  assert.equal(last.body, 'Das Bild flackert weiterhin.');
});

test('ux: the absence form suggests a cover, never the absent person, keeps dates and shows whole days', async (t) => {
  const dispatcherApi = await t.api();
  await loginApi(dispatcherApi, 'dispatch1');
  const managers = await (await dispatcherApi.get('/api/v1/managers')).json();
  const away = managers.find((m) => m.schools.includes('148037'));
  const page = await t.newPage('desktop', 'dispatcher');
  await t.login(page, 'dispatch1');
  await page.goto('/dispatch/absences');
  assert.equal(await page.locator('#substitute_id').count(), 0, 'the cover is chosen after the absent person');
  await page.getByLabel('Wer ist abwesend?').selectOption(String(away.id));
  await page.getByRole('button', { name: 'Weiter' }).click();
  const cover = page.locator('#substitute_id');
  const offered = await cover.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(!offered.includes(String(away.id)), 'the absent person is not offered as cover');
  const chosen = await cover.inputValue();
  assert.ok(chosen !== '', 'the suggestion is preselected');
  assert.match(await cover.locator('option:checked').innerText(), /Vorschlag/);
  assert.match(await page.locator('#vorschlag-hinweis').innerText(), /Vorgeschlagen und vorausgewählt/);
  // An error keeps the dates.
  await page.getByLabel('Erster Tag').fill('2030-12-04');
  await page.getByLabel('Letzter Tag (einschließlich)').fill('2030-12-01');
  await page.getByRole('button', { name: 'Abwesenheit eintragen' }).click();
  await page.locator('#to-fehler').waitFor();
  assert.equal(await page.getByLabel('Erster Tag').inputValue(), '2030-12-04');
  assert.equal(await page.getByLabel('Letzter Tag (einschließlich)').inputValue(), '2030-12-01');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'to');
  await t.screenshot(page, 'ux-09-absence-error.png');
  await page.getByLabel('Erster Tag').fill('2030-12-01');
  await page.getByLabel('Letzter Tag (einschließlich)').fill('2030-12-04');
  await page.getByRole('button', { name: 'Abwesenheit eintragen' }).click();
  const entry = page.locator('section.card li', { hasText: away.name }).first();
  await entry.waitFor();
  assert.match(await entry.innerText(), /abwesend 01\.12\.2030 bis einschließlich 04\.12\.2030/);
  // End it again, so that routing is as before for the other tests.
  await entry.getByRole('button').click();
  await page.getByText('Niemand ist abwesend.').waitFor();
});
