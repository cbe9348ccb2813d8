'use strict';
// Issue 24, "done when": two teachers of one school report a network failure, the board suggests an outage, the
// dispatcher declares a known problem, a third teacher sees it on the form and presses "Ich bin auch betroffen",
// the manager resolves the problem, and all three teachers see it resolved. Teachers use phones.

const { execFileSync } = require('node:child_process');
const { test, assert } = require('../lib/harness');

const PASSWORD = 'Stoerung-Betroffen-2026!';

// The demo data has one teacher per school; the others are added as an administrator would, with the CLI.
function addTeacher(login, school) {
  const { E2E_BINARY: binary, E2E_CONFIG: config, E2E_DATA: data } = process.env;
  assert.ok(binary && config && data, 'tests/e2e/run passes E2E_BINARY, E2E_CONFIG and E2E_DATA');
  execFileSync(binary, ['user', 'add', login, '--role', 'teacher', '--name', `Lehrkraft ${login}`, '--school', school,
    '--password-stdin', '--config', config, '--data', data], { input: `${PASSWORD}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
}

test('known problem: reported twice, suggested, declared, joined, resolved, seen by all three', async (t) => {
  const api = await t.api();
  const staff = await api.post('/api/v1/session', { data: { login: 'dispatch1', password: 'demo' } });
  assert.equal(staff.status(), 200);
  // A school no other spec files network tickets for, and its campus manager.
  const managers = await (await api.get('/api/v1/managers')).json();
  const manager = managers[managers.length - 1];
  const school = manager.schools[manager.schools.length - 1];
  const schoolName = (await (await api.get('/api/v1/schools')).json()).find((s) => s.number === school).name;
  const suffix = Date.now().toString(36);
  const second = `lehrer2-${suffix}`, third = `lehrer3-${suffix}`;
  addTeacher(second, school);
  addTeacher(third, school);

  // Two teachers report the network failure on their phones.
  const report = async (login, password, title, device) => {
    const page = await t.newPage(device, login);
    await t.login(page, login, password);
    await page.goto('/tickets/new');
    await page.getByLabel('Was ist betroffen?').selectOption({ label: 'Netzwerk (WLAN, LAN, Internet)' });
    await page.locator('input[name="priority"][value="high"]').check();
    await page.getByLabel('Kurzbeschreibung (Pflichtangabe)', { exact: true }).fill(title);
    await Promise.all([page.waitForURL(/\/tickets\/CD-\d{4}-\d{6}/), page.getByRole('button', { name: 'Meldung absenden' }).click()]);
    return { page, number: page.url().match(/CD-\d{4}-\d{6}/)[0] };
  };
  const first = await report(`teacher-${school}`, 'demo', `Kein Internet im Lehrerzimmer (${suffix})`, 'phone');
  const other = await report(second, PASSWORD, `WLAN weg in A 1.04 (${suffix})`, 'ipad');

  // The board suggests an outage of the school; one click leads to the declaration, prefilled.
  const board = await t.newPage('desktop', 'dispatcher');
  await t.login(board, 'dispatch1');
  await board.goto('/dispatch');
  const suggestion = board.locator('section.outage', { hasText: schoolName });
  await suggestion.waitFor();
  for (const n of [first.number, other.number]) assert.equal(await suggestion.locator(`a[href="/tickets/${n}"]`).count(), 1);
  await t.screenshot(board, 'problems-01-board-suggestion.png');
  await suggestion.getByRole('link', { name: 'Als bekannte Störung erklären' }).click();
  await board.getByRole('heading', { name: 'Bekannte Störung erklären' }).waitFor();
  const tickets = await board.locator('#tickets').inputValue();
  assert.ok(tickets.includes(first.number) && tickets.includes(other.number), `both tickets prefilled: ${tickets}`);
  assert.deepEqual(await board.locator('#schools').evaluate((s) => Array.from(s.selectedOptions).map((o) => o.value)), [school]);
  await board.locator('#title').fill('Internet im ganzen Gebäude');
  await board.locator('#description').fill('Der Router der Schule ist ausgefallen; der Netzbetreiber ist informiert.');
  await Promise.all([board.waitForURL(/\/stoerungen\/\d+/), board.getByRole('button', { name: 'Störung erklären' }).click()]);
  await board.getByText('Die Störung ist erklärt.').waitFor();
  const problemUrl = new URL(board.url()).pathname;
  await t.screenshot(board, 'problems-02-declared.png');

  // The third teacher sees it on the form before filing and presses "Ich bin auch betroffen", with a room.
  const late = await t.newPage('phone', third);
  await t.login(late, third, PASSWORD);
  await late.goto('/tickets/new');
  const notice = late.locator('section.problem-notice');
  await notice.getByRole('heading', { name: /Bekannte Störung seit .*: Internet im ganzen Gebäude — Sie müssen nichts melden/ }).waitFor();
  await t.assertNoHorizontalScroll(late, 'form with a known problem');
  await t.screenshot(late, 'problems-03-teacher-sees-notice.png');
  await notice.locator('summary').click();
  await notice.getByLabel('Raum').fill('C 0.12');
  await Promise.all([late.waitForURL(/\/tickets\/new$/), notice.getByRole('button', { name: 'Ich bin auch betroffen' }).click()]);
  await late.getByText('Sie sind als betroffen eingetragen.').waitFor();
  assert.equal(await late.getByRole('button', { name: 'Ich bin auch betroffen' }).count(), 0, 'joined once');
  await t.screenshot(late, 'problems-04-teacher-joined.png');

  // The campus manager resolves the problem.
  const managerPage = await t.newPage('ipad', 'manager');
  await t.login(managerPage, manager.login);
  await managerPage.goto('/stoerungen');
  await managerPage.getByRole('link', { name: /Internet im ganzen Gebäude/ }).first().click();
  await managerPage.waitForURL(problemUrl);
  assert.match(await managerPage.locator('main').innerText(), /C 0\.12/, 'the manager sees who joined, with the room');
  await managerPage.getByLabel(/Was wurde behoben\?/).fill('Router getauscht, das Netz läuft wieder.');
  await Promise.all([managerPage.waitForURL(problemUrl), managerPage.getByRole('button', { name: 'Als behoben melden' }).click()]);
  await managerPage.getByRole('heading', { name: 'Behoben: Internet im ganzen Gebäude' }).waitFor();
  await t.screenshot(managerPage, 'problems-05-resolved.png');

  // All three teachers see it resolved on their page; the two tickets are resolved with it.
  for (const page of [first.page, other.page, late]) {
    await page.goto('/tickets');
    await page.getByRole('heading', { name: 'Behoben: Internet im ganzen Gebäude' }).waitFor();
    assert.match(await page.locator('section.problem-notice').first().innerText(), /Router getauscht/);
    await t.assertNoHorizontalScroll(page, `${page.__label}: list with the resolved problem`);
  }
  await t.screenshot(late, 'problems-06-teacher-sees-resolved.png');
  for (const { page, number } of [first, other]) {
    await page.goto(`/tickets/${number}`);
    assert.match(await page.locator('dl.facts').innerText(), /Gelöst/, `${number} is resolved with the problem`);
  }
}, { timeout: 90000 });
