'use strict';
// Issue 18, "done when" for the city's view: the school authority (the help desk) opens the equipment overview from
// the navigation, a school's page from the list (equipment by kind and age, tickets per 100 devices against the
// city's median, SLA figures, open tickets), then the similar schools with the method explained, changes k, and
// finds the downloads. axe on every page of the way; a manager's own school page too.

const { test, assert } = require('../lib/harness');

test('equipment: schools, a school page, similar schools', async (t) => {
  const api = await t.api();
  assert.equal((await api.post('/api/v1/session', { data: { login: 'dispatch1', password: 'demo' } })).status(), 200);
  const managers = await (await api.get('/api/v1/managers')).json();
  const manager = managers[0];
  const school = manager.schools[0];

  const desk = await t.newPage('desktop', 'equipment-desk');
  await t.login(desk, 'dispatch1');
  await desk.goto('/dispatch');
  await desk.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Schulen' }).click();
  await desk.getByRole('heading', { name: 'Schulen', level: 1 }).waitFor();
  assert.match(await desk.locator('main').innerText(), /Median der Stadt: [\d,–]+ Tickets je 100 Geräte/);
  await t.assertAccessible(desk, 'schools');
  await t.screenshot(desk, 'equipment-01-schools.png');

  await desk.locator(`a[href="/schulen/${school}"]`).first().click();
  await desk.getByRole('heading', { name: /^Schule: / }).waitFor();
  const main = await desk.locator('main').innerText();
  assert.match(main, /Geräte in Betrieb, davon \d+ ohne Garantie/);
  assert.match(main, /Nach Alter \(Kaufjahr\)/);
  assert.match(main, /Median der Stadt: [\d,]+/);
  assert.match(main, /SLA-Kennzahlen der Schule/);
  assert.match(main, /Offene Tickets \(\d+\+?\)/);
  await t.assertAccessible(desk, 'school page');
  await t.screenshot(desk, 'equipment-02-school.png');

  await desk.getByRole('link', { name: 'Ähnliche Schulen' }).click();
  await desk.getByRole('heading', { name: 'Ähnliche Schulen', level: 1 }).waitFor();
  assert.match(await desk.locator('#methode').locator('..').innerText(), /auf 0 bis 1 umgerechnet/);
  await desk.getByLabel('Ähnliche Schulen je Schule').fill('3');
  await desk.getByRole('button', { name: 'Anzeigen' }).click();
  await desk.getByRole('heading', { name: 'Die 3 ähnlichsten Schulen je Schule' }).waitFor();
  assert.equal(await desk.locator('a[href="/schulen/aehnliche.csv?k=3"]').count(), 1);
  assert.equal(await desk.locator('a[href="/schulen/aehnliche.xlsx?k=3"]').count(), 1);
  await t.assertAccessible(desk, 'similar schools');
  await t.screenshot(desk, 'equipment-03-similar.png');

  // The campus manager: their own school's page, not the comparison.
  const staff = await t.newPage('desktop', 'equipment-manager');
  await t.login(staff, manager.login);
  await staff.goto(`/schulen/${school}`);
  await staff.getByRole('heading', { name: /^Schule: / }).waitFor();
  await t.assertAccessible(staff, 'school page (manager)');
  assert.equal((await staff.goto('/schulen/aehnliche')).status(), 404);
});
