'use strict';
// Issue 18, "done when" for maintenance: the help desk creates a plan on the page (a bad field first: refused at the
// field), its first task appears at once; the campus manager's visit plan shows it beside the school's tickets; the
// manager postpones it with a reason (none first: refused at the field) and then marks it done, each time back on
// the visit plan. axe on every page of the way.

const { test, assert } = require('../lib/harness');

test('maintenance: plan → task → visit plan → postponed → done', async (t) => {
  const api = await t.api();
  assert.equal((await api.post('/api/v1/session', { data: { login: 'dispatch1', password: 'demo' } })).status(), 200);
  // The third campus manager's first school: no other spec plans maintenance there.
  const managers = await (await api.get('/api/v1/managers')).json();
  const manager = managers[2];
  const school = manager.schools[0];
  const title = `Netzwerkschrank Sichtprüfung ${Date.now().toString(36).toUpperCase()}`;

  // The help desk: the form refuses 0 weeks at the field, then creates the plan.
  const desk = await t.newPage('desktop', 'maintenance-desk');
  await t.login(desk, 'dispatch1');
  await desk.goto('/wartung');
  await t.assertAccessible(desk, 'maintenance overview');
  await desk.getByRole('link', { name: 'Neuer Wartungsplan' }).click();
  await desk.getByRole('heading', { name: 'Neuer Wartungsplan' }).waitFor();
  await t.assertAccessible(desk, 'plan form');
  await desk.getByLabel('Titel (Pflichtangabe)').fill(title);
  await desk.getByLabel('Schule', { exact: true }).selectOption(school);
  await desk.getByLabel(/Regelmäßig: alle n Schulwochen/).check();
  await desk.locator('#weeks').fill('0');
  await desk.getByRole('button', { name: 'Plan anlegen' }).click();
  await desk.locator('#weeks-error').waitFor();
  assert.match(await desk.title(), /^Fehler:/);
  assert.equal(await desk.locator('#weeks').getAttribute('aria-invalid'), 'true');
  assert.equal(await desk.evaluate(() => document.activeElement && document.activeElement.id), 'weeks');
  assert.equal(await desk.locator('#title').inputValue(), title, 'the entries are kept');
  await t.assertAccessible(desk, 'plan form with an error');
  await t.screenshot(desk, 'maintenance-01-plan-refused.png');
  await desk.locator('#weeks').fill('1');
  await desk.getByRole('button', { name: 'Plan anlegen' }).click();
  await desk.locator('.success', { hasText: 'Der Plan ist angelegt.' }).waitFor();
  assert.equal(await desk.locator('ul.tickets li').count(), 1, 'the first task exists at once');
  await t.assertAccessible(desk, 'plan page');
  await t.screenshot(desk, 'maintenance-02-plan.png');

  // The campus manager plans a visit: the school's choice says a task is due; the plan shows it beside the tickets.
  const staff = await t.newPage('ipad', 'maintenance-manager');
  await t.login(staff, manager.login);
  await staff.goto('/visits');
  const choice = staff.locator('label.choice', { has: staff.locator(`input[value="${school}"]`) });
  assert.match(await choice.innerText(), /Wartungsaufgabe(n)? fällig/);
  await choice.locator('input').check();
  await staff.getByRole('button', { name: 'Plan erstellen' }).click();
  const task = staff.locator('section.visit li', { hasText: title });
  await task.waitFor();
  assert.match(await staff.locator('section.visit').innerText(), /Wartung \(\d+ fällig\)/);
  await t.assertAccessible(staff, 'visit plan with maintenance');
  await t.screenshot(staff, 'maintenance-03-visit-plan.png');

  // Postponed: without a reason refused at the field, then with one; back on the visit plan.
  await task.locator('a').click();
  await staff.getByRole('heading', { name: `Wartung: ${title}` }).waitFor();
  await t.assertAccessible(staff, 'task page');
  const dueText = (await staff.locator('dl.facts').first().innerText()).match(/(\d\d)\.(\d\d)\.(\d{4})/);
  const due = new Date(Date.UTC(+dueText[3], +dueText[2] - 1, +dueText[1]));
  let postponed = false;
  for (let weeks = 1; weeks <= 6 && !postponed; ++weeks) {
    const to = new Date(due.getTime() + weeks * 7 * 86400000).toISOString().slice(0, 10);
    await staff.locator('#due_date').fill(to);
    if (weeks === 1) {
      await staff.getByRole('button', { name: 'Verschieben' }).click();
      await staff.locator('#reason-error').waitFor();
      assert.match(await staff.title(), /^Fehler:/);
      assert.equal(await staff.locator('#reason').getAttribute('aria-invalid'), 'true');
      assert.equal(await staff.evaluate(() => document.activeElement && document.activeElement.id), 'reason');
      await t.assertAccessible(staff, 'task page with an error');
      await t.screenshot(staff, 'maintenance-04-postpone-refused.png');
      await staff.locator('#due_date').fill(to);
    }
    await staff.locator('#reason').fill('Serverraum wegen Abiturprüfungen gesperrt');
    await staff.getByRole('button', { name: 'Verschieben' }).click();
    await staff.waitForLoadState();
    // A week in the holidays is no school day: the next week then.
    postponed = staff.url().includes('/visits');
  }
  assert.ok(postponed, 'postponed and back on the visit plan');
  assert.match(staff.url(), /wartung=verschoben/);
  const moved = staff.locator('section.visit li', { hasText: title });
  await moved.waitFor();
  assert.match(await moved.innerText(), /verschoben/);

  // Done: back on the visit plan, where the task is gone; the overview lists it as done.
  await moved.locator('a').click();
  await staff.getByRole('heading', { name: `Wartung: ${title}` }).waitFor();
  assert.match(await staff.locator('#verschiebungen + ul, section[aria-labelledby="verschiebungen"]').first().innerText(),
    /Abiturprüfungen/);
  await staff.locator('#note').fill('Schrank verschlossen, Lüfter gereinigt');
  await staff.getByRole('button', { name: 'Als erledigt eintragen' }).click();
  await staff.waitForURL(/\/visits\?.*wartung=erledigt/);
  assert.equal(await staff.locator('section.visit li', { hasText: title }).count(), 0);
  await t.screenshot(staff, 'maintenance-05-done.png');
  await staff.goto('/wartung?status=erledigt');
  await staff.locator('li.ticket-row', { hasText: title }).waitFor();
  await t.assertAccessible(staff, 'maintenance overview, done', { dark: true });
}, { timeout: 60000 });
