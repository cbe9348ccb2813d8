'use strict';
// Issue 16, "Work the help desk does every day": phone intake, canned replies and the admin pages, walked as the
// dispatcher, the campus manager, the teacher and the administrator.

const { test, assert, VIEWPORTS, loginApi } = require('../lib/harness');

async function managerEntry(client, login) {
  const managers = await (await client.get('/api/v1/managers')).json();
  const m = managers.find((x) => x.login === login);
  assert.ok(m, `manager ${login}`);
  return m;
}

// A browser without JavaScript (the forms must work without it).
async function pageWithoutScript(t, label) {
  const context = await t.browser.newContext({
    ...VIEWPORTS.desktop, baseURL: t.baseURL, locale: 'de-DE', timezoneId: 'Europe/Berlin', javaScriptEnabled: false,
  });
  context.setDefaultTimeout(10000);
  t.contexts.push(context);
  const page = await context.newPage();
  page.__label = label;
  return page;
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

test('desk: the help desk takes a call for a teacher, and for a caller without an account', async (t) => {
  const api = await t.api();
  await loginApi(api, 'dispatch1');
  const school = (await managerEntry(api, 'manager03')).schools[0];
  const tag = Date.now().toString(36);

  const desk = await t.newPage('desktop', 'dispatcher');
  await t.login(desk, 'dispatch1');
  await desk.goto('/dispatch');
  await submit(desk, desk.getByRole('link', { name: 'Telefonische Meldung' }));
  await desk.selectOption('#school_number', school);
  await submit(desk, desk.getByRole('button', { name: 'Weiter: Lehrkraft wählen' }));
  const teacherOption = desk.locator('#requester option', { hasText: `(teacher-${school})` });
  await desk.selectOption('#requester', await teacherOption.getAttribute('value'));
  await desk.fill('#caller_phone', '0231 50-4711');
  await desk.selectOption('#category', 'printer');
  await desk.check('#priority-high');
  await desk.fill('#title', `Drucker im Lehrerzimmer druckt nicht (Telefon ${tag})`);
  await desk.fill('#room', 'Lehrerzimmer');
  await t.screenshot(desk, 'desk-01-phone-form.png');
  await submit(desk, desk.getByRole('button', { name: 'Ticket für die anrufende Person anlegen' }));
  const notice = await desk.locator('.success').innerText();
  assert.match(notice, /Telefonische Meldung angelegt\..*CD-\d{4}-\d{6}/s);
  const number = desk.url().match(/CD-\d{4}-\d{6}/)[0];
  assert.match(await desk.locator('.facts').innerText(), /telefonisch aufgenommen von /);
  await t.screenshot(desk, 'desk-02-phone-created.png');

  // The teacher finds it in "Meine Tickets" and on their ticket page.
  const teacher = await t.newPage('ipad', 'teacher');
  await t.login(teacher, `teacher-${school}`);
  await teacher.goto('/tickets');
  assert.equal(await teacher.locator(`a[href="/tickets/${number}"]`).count(), 1, 'in Meine Tickets');
  await teacher.goto(`/tickets/${number}`);
  assert.ok((await teacher.locator('section.expectations').innerText()).includes('Eine erste Antwort erhalten Sie bis'),
    'the SLA runs as for any ticket');

  // Without an account: the missing number is marked at its field, the name kept.
  await desk.goto(`/dispatch/telefon?school=${school}`);
  await desk.selectOption('#requester', '');
  await desk.fill('#caller_name', 'Herr Beck (Hausmeister)');
  await desk.selectOption('#category', 'network');
  await desk.check('#priority-normal');
  await desk.fill('#title', `WLAN in der Turnhalle weg (Telefon ${tag})`);
  await submit(desk, desk.getByRole('button', { name: 'Ticket für die anrufende Person anlegen' }));
  assert.match(await desk.title(), /^Fehler: /);
  assert.equal(await desk.locator('#caller_phone').getAttribute('aria-invalid'), 'true');
  assert.equal(await desk.inputValue('#caller_name'), 'Herr Beck (Hausmeister)');
  await desk.getByRole('link', { name: 'Bitte eine Rückrufnummer angeben.' }).click();
  assert.equal(await desk.evaluate(() => document.activeElement.id), 'caller_phone', 'the summary leads to the field');
  await t.screenshot(desk, 'desk-03-phone-error.png');
  await desk.fill('#caller_phone', '0231 50-815');
  await submit(desk, desk.getByRole('button', { name: 'Ticket für die anrufende Person anlegen' }));
  const facts = await desk.locator('.facts').innerText();
  assert.match(facts, /Herr Beck \(Hausmeister\) \(ohne Konto\)/);
  assert.match(facts, /Rückrufnummer\s+0231 50-815/);

  // Campus managers file for themselves only.
  const manager = await t.newPage('desktop', 'manager');
  await t.login(manager, 'manager03');
  assert.equal(await manager.locator('a[href="/dispatch/telefon"]').count(), 0, 'no link for managers');
  const refused = await manager.goto('/dispatch/telefon');
  assert.equal(refused.status(), 403);
});

test('desk: canned replies are kept on their page and inserted with and without JavaScript', async (t) => {
  const tag = Date.now().toString(36);
  const desk = await t.newPage('desktop', 'dispatcher');
  await t.login(desk, 'dispatch1');
  await submit(desk, desk.getByRole('link', { name: 'Textbausteine' }));
  await desk.fill('#tb-title', `Neustart ${tag}`);
  await desk.fill('#tb-body', 'Bitte starten Sie das Gerät einmal vollständig neu.');
  await desk.getByLabel('Geteilt – für alle Mitarbeitenden').check();
  await submit(desk, desk.getByRole('button', { name: 'Speichern' }));
  assert.match(await desk.locator('.success').innerText(), /ist gespeichert/);
  assert.ok((await desk.locator('section[aria-labelledby="geteilt-titel"]').innerText()).includes(`Neustart ${tag}`));

  // The manager keeps one of their own for beamers; an empty text is refused at its field.
  const manager = await pageWithoutScript(t, 'manager without JavaScript');
  await t.login(manager, 'manager01');
  await manager.goto('/textbausteine');
  assert.equal(await manager.getByLabel('Geteilt – für alle Mitarbeitenden').count(), 0, 'managers do not share');
  await manager.fill('#tb-title', `Vor Ort ${tag}`);
  await submit(manager, manager.getByRole('button', { name: 'Speichern' }));
  assert.equal(await manager.locator('#tb-body').getAttribute('aria-invalid'), 'true');
  assert.equal(await manager.inputValue('#tb-title'), `Vor Ort ${tag}`);
  await manager.fill('#tb-body', 'Ich komme morgen in der ersten Pause vorbei.');
  await manager.selectOption('#tb-category', 'presentation');
  await submit(manager, manager.getByRole('button', { name: 'Speichern' }));
  assert.ok((await manager.locator('section[aria-labelledby="eigene-titel"]').innerText()).includes(`Vor Ort ${tag}`));
  await t.screenshot(manager, 'desk-04-canned-replies.png');

  const api = await t.api();
  const csrf = await loginApi(api, 'teacher-141017');
  const created = await api.post('/api/v1/tickets', { headers: { 'X-CSRF-Token': csrf },
    data: { category: 'presentation', priority: 'normal', title: `Beamer brummt (desk ${tag})`, room: 'A 0.04' } });
  assert.equal(created.status(), 201);
  const { number } = await created.json();

  // Without JavaScript: "Einfügen" sends the form and the page comes back with the text after what was typed.
  await manager.goto(`/tickets/${number}`);
  await manager.fill('#body', 'Guten Tag,');
  await manager.selectOption('#canned-reply', { label: `Eigener: Vor Ort ${tag}` });
  await submit(manager, manager.locator('#antworten').getByRole('button', { name: 'Einfügen' }));
  assert.equal(await manager.inputValue('#body'), 'Guten Tag,\n\nIch komme morgen in der ersten Pause vorbei.');
  assert.equal(new URL(manager.url()).pathname, `/tickets/${number}`);
  assert.equal(await manager.locator('#canned-reply option:checked').innerText(), `Eigener: Vor Ort ${tag}`, 'the choice is kept');
  assert.ok(!(await manager.title()).startsWith('Fehler'), 'an insertion is no error');
  await t.screenshot(manager, 'desk-05-inserted-without-js.png');
  await submit(manager, manager.getByRole('button', { name: 'Senden' }));
  assert.ok((await manager.locator('.timeline').innerText()).includes('Ich komme morgen in der ersten Pause vorbei.'));

  // With JavaScript: in place, at the cursor, no request.
  const withScript = await t.newPage('desktop', 'manager with JavaScript');
  await t.login(withScript, 'manager01');
  await withScript.goto(`/tickets/${number}`);
  await withScript.evaluate(() => { window.__stayed = true; });
  await withScript.selectOption('#canned-status', { label: `Neustart ${tag}` });
  await withScript.locator('#status-aendern').getByRole('button', { name: 'Einfügen' }).click();
  assert.equal(await withScript.inputValue('#status-note'), 'Bitte starten Sie das Gerät einmal vollständig neu.');
  assert.ok(await withScript.evaluate(() => window.__stayed === true), 'inserted in place, without a reload');
  assert.equal(await withScript.evaluate(() => document.activeElement.id), 'status-note');

  // Teachers have no canned replies.
  const teacher = await t.newPage('phone', 'teacher');
  await t.login(teacher, 'teacher-141017');
  await teacher.goto(`/tickets/${number}`);
  assert.equal(await teacher.locator('select[name=canned]').count(), 0);
  assert.equal((await teacher.goto('/textbausteine')).status(), 403);
});

test('desk: the administrator manages accounts, tokens and which manager looks after a school', async (t) => {
  const tag = Date.now().toString(36).slice(-6);
  const admin = await t.newPage('desktop', 'admin');
  await t.login(admin, 'admin');
  await submit(admin, admin.getByRole('link', { name: 'Verwaltung', exact: true }));
  assert.equal(new URL(admin.url()).pathname, '/admin/benutzer');
  await admin.fill('#suche', 'manager0');
  await submit(admin, admin.getByRole('button', { name: 'Suchen' }));
  assert.ok((await admin.locator('table.users').innerText()).includes('manager01'));

  // A new teacher's account with a generated password, shown once.
  const api = await t.api();
  await loginApi(api, 'admin');
  const school = (await managerEntry(api, 'manager05')).schools[0];
  const login = `lk.${tag}`;
  await admin.fill('#neu-login', login);
  await admin.fill('#neu-name', `Lehrkraft ${tag}`);
  await admin.selectOption('#neu-role', 'teacher');
  await submit(admin, admin.getByRole('button', { name: 'Konto anlegen' }));
  assert.match(await admin.title(), /^Fehler: /, 'a teacher needs a school');
  assert.equal(await admin.locator('#neu-school').getAttribute('aria-invalid'), 'true');
  await admin.selectOption('#neu-school', school);
  await submit(admin, admin.getByRole('button', { name: 'Konto anlegen' }));
  const password = (await admin.locator('#einmalig').innerText()).trim();
  assert.ok(password.length >= 8, 'a one-time password is shown');
  await t.screenshot(admin, 'desk-06-account-created.png');

  const person = await t.newPage('ipad', 'new teacher');
  await t.login(person, login, password);
  assert.equal(new URL(person.url()).pathname, '/tickets');

  // Disabled: the open session ends at the next click; enabled again, a new password of the admin's choice.
  await submit(admin, admin.getByRole('button', { name: 'Konto sperren' }));
  assert.match(await admin.locator('.success').innerText(), /gesperrt/);
  await person.goto('/tickets');
  assert.equal(new URL(person.url()).pathname, '/login', 'the session ended');
  await submit(admin, admin.getByRole('button', { name: 'Konto wieder freigeben' }));
  await admin.fill('#neues-passwort', 'passwort');
  await submit(admin, admin.getByRole('button', { name: 'Passwort setzen' }));
  assert.match(await admin.locator('.error').innerText(), /.+/, 'a common password is refused');
  await admin.fill('#neues-passwort', 'Zeche Zollern bei Nacht 1898');
  await submit(admin, admin.getByRole('button', { name: 'Passwort setzen' }));
  await t.login(person, login, 'Zeche Zollern bei Nacht 1898');
  assert.equal(new URL(person.url()).pathname, '/tickets');

  // An API token, shown once, listed, revoked with every session.
  await admin.fill('#token-label', 'Inventar-Abgleich');
  await submit(admin, admin.getByRole('button', { name: 'Token erstellen' }));
  const token = (await admin.locator('#einmalig').innerText()).trim();
  const script = await t.api();
  assert.equal((await script.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status(), 200);
  assert.ok((await admin.locator('ul.credentials').innerText()).includes('Inventar-Abgleich'));
  await submit(admin, admin.getByRole('button', { name: 'Alle Anmeldungen und Tokens beenden' }));
  assert.equal((await script.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status(), 401);
  await t.screenshot(admin, 'desk-07-account.png');

  // A school moves from manager05 to manager06: new tickets go there at once; then it moves back.
  const to = await managerEntry(api, 'manager06');
  const from = await managerEntry(api, 'manager05');
  await admin.goto('/admin/schulen');
  const row = admin.locator(`#schule-${school}`);
  await row.locator('select').selectOption(String(to.id));
  await submit(admin, row.getByRole('button', { name: /verschieben$/ }));
  assert.match(await admin.locator('.success').innerText(), new RegExp(`wird jetzt von ${to.name} betreut`));
  assert.equal(await admin.locator(`#schule-${school} select`).inputValue(), String(to.id));
  await t.screenshot(admin, 'desk-08-schools.png');
  const teacherApi = await t.api();
  const csrf = await loginApi(teacherApi, `teacher-${school}`);
  const filed = await teacherApi.post('/api/v1/tickets', { headers: { 'X-CSRF-Token': csrf },
    data: { category: 'pc', priority: 'normal', title: `PC startet nicht (desk ${tag})` } });
  assert.equal(filed.status(), 201);
  assert.equal((await filed.json()).assignee.id, to.id, 'routed to the new manager');
  await admin.locator(`#schule-${school} select`).selectOption(String(from.id));
  await submit(admin, admin.locator(`#schule-${school}`).getByRole('button', { name: /verschieben$/ }));
  assert.match(await admin.locator('.success').innerText(), /1 offene Tickets sind mitgegangen/);

  // Categories and partners: read-only, with where to change them.
  await submit(admin, admin.getByRole('link', { name: 'Kategorien und Partner' }));
  assert.match(await admin.locator('main').innerText(), /config\/campusdesk\.toml/);
  assert.equal(await admin.locator('main form').count(), 0, 'nothing to change here');

  // Nobody else gets in.
  const manager = await t.newPage('desktop', 'manager');
  await t.login(manager, 'manager01');
  assert.equal(await manager.locator('a[href="/admin/benutzer"]').count(), 0);
  assert.equal((await manager.goto('/admin/benutzer')).status(), 403);
  const dispatcher = await t.newPage('desktop', 'dispatcher');
  await t.login(dispatcher, 'dispatch1');
  assert.equal((await dispatcher.goto('/admin/schulen')).status(), 403);
});

// WCAG's contrast ratio of two "rgb(r, g, b)" colours.
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('desk: the board and the pages around it are accessible (axe, labels, skip link, focus ring, dark mode)', async (t) => {
  const page = await t.newPage('laptop', 'a11y-dispatcher');
  await t.login(page, 'dispatch1');
  await page.goto('/dispatch');
  await page.getByRole('heading', { name: 'Leitstand', exact: true }).waitFor();

  // Every row's tick box (the choice for the assignment bar) names its ticket by number and title, and no two
  // share a name.
  const labels = await page.locator('li.board-row').evaluateAll((rows) => rows.map((row) => ({
    number: row.querySelector('.number').textContent.trim(),
    title: row.querySelector('a strong').textContent.trim(),
    label: row.querySelector('input[type="checkbox"]').labels[0].textContent.trim(),
  })));
  assert.ok(labels.length > 0, 'the demo board has tickets');
  for (const l of labels) {
    assert.ok(l.label.includes(l.number) && l.label.includes(l.title), `the tick box of ${l.number} names it: "${l.label}"`);
  }
  assert.equal(new Set(labels.map((l) => l.label)).size, labels.length, 'every tick box has its own name');

  // The main navigation marks the page one is on, and only that one.
  for (const [path, current] of [['/dispatch', 'Leitstand'], ['/dispatch/telefon', 'Telefonische Meldung'],
    ['/reports/sla', 'SLA-Bericht'], ['/queue', 'Warteschlange']]) {
    await page.goto(path);
    const marked = await page.locator('header nav a[aria-current="page"]').allInnerTexts();
    assert.deepEqual(marked, [current], `${path}: aria-current on "${current}"`);
  }

  // The first Tab reaches the skip link, visible; Enter moves the focus into the page's content.
  await page.goto('/dispatch');
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip-link');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Zum Inhalt springen');
  const box = await skip.boundingBox();
  assert.ok(box && box.y >= 0 && box.height > 10, `the focused skip link is on screen (${JSON.stringify(box)})`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'inhalt');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.getElementById('inhalt').contains(document.activeElement)),
    'the next Tab stays in the content, past the navigation');

  // axe (WCAG 2.1 A/AA) on the board, in light and dark mode.
  await t.assertAccessible(page, 'board');
  await t.assertAccessible(page, 'board (dark mode)', { dark: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  const colours = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color }));
  assert.ok(contrast(colours.body, 'rgb(255, 255, 255)') > 10, `dark mode has a dark background (${colours.body})`);
  assert.ok(contrast(colours.body, colours.text) >= 7, `dark mode text reads well (${colours.text} on ${colours.body})`);
  await t.screenshot(page, 'board-dark-1366.png');
  await page.emulateMedia({ colorScheme: 'light' });

  // A teacher's form: the focus ring on a priority radio button stands out from white by at least 3:1.
  const teacher = await t.newPage('laptop', 'a11y-teacher');
  await t.login(teacher, 'teacher-141017');
  await teacher.goto('/tickets/new');
  await teacher.locator('input[type="radio"][name="priority"]').first().focus();
  const ring = await teacher.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
  assert.notEqual(ring.style, 'none', 'the focused radio button has a ring');
  assert.ok(ring.width >= 2, `the ring is at least 2 px wide (${ring.width})`);
  const ratio = contrast(ring.color, 'rgb(255, 255, 255)');
  assert.ok(ratio >= 3, `the focus ring contrasts with white by ${ratio.toFixed(2)}:1 (${ring.color})`);
  await t.assertAccessible(teacher, 'new ticket form');
}, { timeout: 60000 });
