'use strict';
// Issue 18, "done when" for devices: the dispatcher imports the city's device CSV on the page (a broken file first:
// nothing imported, the line and column named), a teacher files a ticket by typing an iPad's inventory number (the
// datalist offers it), and the campus manager sees the device on the ticket with its warranty, the vendor suggested
// for escalation, and the device's page with its history.

const { test, assert } = require('../lib/harness');

test('devices: CSV import, a ticket by inventory number, history and warranty', async (t) => {
  const api = await t.api();
  assert.equal((await api.post('/api/v1/session', { data: { login: 'dispatch1', password: 'demo' } })).status(), 200);
  // A school of the second campus manager, which no other spec imports devices for.
  const managers = await (await api.get('/api/v1/managers')).json();
  const manager = managers[1];
  const school = manager.schools[1];
  const suffix = Date.now().toString(36).toUpperCase();
  const inventory = `E2E-IP-${suffix}`;
  const header = 'school_number;kind;model;serial_number;inventory_number;room;owner_group;purchase_date;warranty_end;status\n';
  const good = header +
    `${school};iPad;iPad (10th generation);E2E${suffix}A;${inventory};B 2.03;Schüler/innen;01.08.2025;31.07.2040;In Betrieb\n` +
    `${school};Digitale Tafel;SMART Board MX;E2E${suffix}B;E2E-DT-${suffix};A 1.04;Lehrkräfte;2019-08-15;2024-08-14;\n`;

  // The dispatcher: a broken file is refused as a whole, then the good one is imported.
  const desk = await t.newPage('desktop', 'dispatcher');
  await t.login(desk, 'dispatch1');
  await desk.goto('/geraete');
  await desk.getByRole('link', { name: 'Geräteliste (CSV) importieren' }).click();
  await desk.getByRole('heading', { name: 'Geräte importieren' }).waitFor();
  const upload = async (text) => {
    await desk.getByLabel('CSV-Datei').setInputFiles({ name: 'geraete.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await desk.getByLabel('Format der Datei').selectOption('campusdesk');
    await desk.getByRole('button', { name: 'Importieren' }).click();
  };
  await upload(good.replace(`E2E${suffix}B`, ''));
  const summary = desk.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Nichts importiert/);
  assert.match(await summary.innerText(), /Zeile 3, Spalte „serial_number“: Die Seriennummer fehlt\./);
  assert.match(await desk.title(), /^Fehler:/);
  await t.screenshot(desk, 'devices-01-import-refused.png');
  await upload(good);
  await desk.locator('.success', { hasText: 'Import abgeschlossen' }).waitFor();
  assert.match(await desk.locator('.success').innerText(), /2 neu/);
  await t.screenshot(desk, 'devices-02-import-done.png');

  // The teacher types the number from the label; the datalist offers the school's devices.
  const teacher = await t.newPage('ipad', 'teacher');
  await t.login(teacher, `teacher-${school}`);
  await teacher.goto('/tickets/new');
  assert.equal(await teacher.locator(`#geraete-liste option[value="${inventory}"]`).count(), 1);
  assert.equal(await teacher.locator('#asset_tag').getAttribute('list'), 'geraete-liste');
  await teacher.getByLabel('Was ist betroffen?').selectOption({ label: 'iPad' });
  await teacher.locator('input[name="priority"][value="normal"]').check();
  await teacher.getByLabel('Kurzbeschreibung (Pflichtangabe)', { exact: true }).fill(`iPad startet nicht (${suffix})`);
  await teacher.locator('#asset_tag').fill(inventory);
  await t.screenshot(teacher, 'devices-03-teacher-form.png');
  await Promise.all([teacher.waitForURL(/\/tickets\/CD-\d{4}-\d{6}/), teacher.getByRole('button', { name: 'Meldung absenden' }).click()]);
  const number = teacher.url().match(/CD-\d{4}-\d{6}/)[0];
  await teacher.getByRole('heading', { name: /Gerät: iPad/ }).waitFor();

  // The manager: the device on the ticket with its warranty, the vendor suggested; the device page's history.
  const staff = await t.newPage('desktop', 'manager');
  await t.login(staff, manager.login);
  await staff.goto(`/tickets/${number}`);
  const device = staff.locator('section.device');
  await device.waitFor();
  assert.match(await device.innerText(), /Garantie bis 31\.07\.2040/);
  assert.equal(await staff.locator('#partner').inputValue(), 'device_vendor');
  assert.match(await staff.locator('#garantie-hinweis').innerText(), /vorgeschlagen ist Gerätehersteller/);
  await t.screenshot(staff, 'devices-04-ticket-device.png');
  await device.getByRole('link', { name: `iPad ${inventory}` }).click();
  await staff.getByRole('heading', { name: `iPad ${inventory}` }).waitFor();
  assert.equal(await staff.locator(`a[href="/tickets/${number}"]`).count(), 1);
  assert.match(await staff.locator('dl.facts').innerText(), /Garantie bis 31\.07\.2040/);
  await t.screenshot(staff, 'devices-05-device-history.png');
});
