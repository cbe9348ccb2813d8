'use strict';
// Issue 4, the daily loop, on an iPad and on a phone: a teacher files a ticket with a photo; the school's campus
// manager finds it in the queue and asks a question; the teacher answers; the manager resolves; the teacher sees
// the resolution and confirms it. Every step is a screenshot <device>-<nn>-<step>.png.

const { test, assert } = require('../lib/harness');

// Issue 16: staff read whom the question waits for; the teacher reads that it waits for them.
const QUESTION_LABEL = 'Rückfrage – wartet auf Antwort der Lehrkraft';
const QUESTION_LABEL_TEACHER = 'Rückfrage – wartet auf Ihre Antwort';

// One school per device, so that the two runs do not meet; the manager login is the school's campus_manager
// column in config/schools.csv.
const RUNS = [
  { device: 'ipad', school: '141017', manager: 'manager01' },   // Grundschule Mengede
  { device: 'phone', school: '148037', manager: 'manager01' },  // Grundschule Nette
];

async function statusBadge(page) {
  return (await page.locator('.facts .badge[class*="status-"]').first().innerText()).trim();
}

// The photo is on the page as a thumbnail that has really loaded (the server served the image).
async function assertThumbnail(page, filename, who) {
  const thumb = page.locator(`section.attachments img.thumb[alt="${filename}"]`);
  await thumb.first().waitFor({ state: 'visible', timeout: 5000 });
  await thumb.first().scrollIntoViewIfNeeded();
  const loaded = await thumb.first().evaluate((img) => img.complete && img.naturalWidth > 0);
  assert.ok(loaded, `${who}: the thumbnail ${filename} did not load`);
  const href = await thumb.first().locator('xpath=ancestor::a[1]').getAttribute('href');
  assert.match(href || '', /^\/attachments\/[^/]+$/, `${who}: the thumbnail links to the file`);
}

for (const run of RUNS) {
  test(`loop on ${run.device}: teacher files with photo, manager asks, teacher answers, manager resolves`, async (t) => {
    const { device } = run;
    const phone = device === 'phone';
    let step = 0;
    const shot = (page, name) => t.screenshot(page, `${device}-${String(++step).padStart(2, '0')}-${name}.png`);
    const fits = async (page, where) => { if (phone) await t.assertNoHorizontalScroll(page, where); };
    const stamp = `${device} ${Date.now().toString(36)}`;
    const title = `Beamer zeigt kein Bild (${stamp})`;
    const question = `Leuchtet die Lampe am Beamer? Welches Kabel ist angeschlossen? (${stamp})`;
    const answer = `Die Lampe leuchtet grün, angeschlossen ist das HDMI-Kabel am Lehrerpult. (${stamp})`;
    const resolution = `HDMI-Kabel war defekt und wurde getauscht; Bild kommt wieder. (${stamp})`;
    const photoName = `beamer-${device}.png`;
    const photo = t.photoFile(photoName);

    // --- The teacher files a ticket with a photo. ---
    const teacher = await t.newPage(device, `${device}-teacher`);
    await t.login(teacher, `teacher-${run.school}`);
    await shot(teacher, 'teacher-my-tickets');
    await teacher.getByRole('navigation').getByRole('link', { name: 'Störung melden' }).click();
    await teacher.waitForURL('**/tickets/new');
    await teacher.getByRole('heading', { name: 'Störung melden' }).waitFor();
    await fits(teacher, 'ticket form');
    await teacher.getByLabel('Was ist betroffen?').selectOption({ label: 'Präsentation (Tafel, Beamer, Display)' });
    await teacher.locator('input[name="priority"][value="high"]').check();
    await teacher.getByLabel('Kurzbeschreibung (Pflichtangabe)', { exact: true }).fill(title);
    await teacher.getByLabel('Raum (optional)', { exact: true }).fill('B 1.12');
    await teacher.locator('#asset_tag').fill('DO-BE-004711');
    await teacher.getByLabel('Beschreibung (optional)', { exact: true }).fill('Der Beamer geht an, zeigt aber nur "Kein Signal". Foto anbei.');
    const fileInput = teacher.locator('input#files[name="files"][type="file"]');
    // Contract: a labelled, multiple file input for photos and PDFs in a multipart form.
    assert.equal(await fileInput.count(), 1, 'the form has a file input for photos');
    assert.equal(await teacher.locator('form:has(#files)').getAttribute('enctype'), 'multipart/form-data');
    assert.equal(await teacher.locator('label[for="files"]').count(), 1, 'the file input has a label');
    assert.match(await teacher.locator('label[for="files"]').innerText(), /Fotos oder Dateien/);
    await fileInput.setInputFiles(photo);
    await shot(teacher, 'teacher-form-filled');
    await Promise.all([
      teacher.waitForURL(/\/tickets\/CD-\d{4}-\d{6}/),
      teacher.getByRole('button', { name: 'Meldung absenden' }).click(),
    ]);
    await teacher.getByText('Ihre Meldung ist eingegangen').waitFor();
    const number = (await teacher.locator('.ticket-number').innerText()).trim();
    assert.match(number, /^CD-\d{4}-\d{6}$/, 'the confirmation shows the ticket number');
    assert.ok(teacher.url().includes(`/tickets/${number}`), 'the confirmation is the ticket page');
    assert.equal(await statusBadge(teacher), 'Neu');
    await assertThumbnail(teacher, photoName, 'teacher');
    await fits(teacher, 'confirmation');
    await shot(teacher, 'teacher-confirmation');

    // "Meine Tickets" lists it with its status in plain words.
    await teacher.getByRole('navigation').getByRole('link', { name: 'Meine Tickets' }).click();
    const myRow = teacher.locator(`.tickets a[href="/tickets/${number}"]`);
    await myRow.waitFor();
    assert.match(await myRow.innerText(), /Neu/);
    await fits(teacher, 'Meine Tickets');

    // --- The school's campus manager finds it in the queue and asks a question. ---
    const manager = await t.newPage(device, `${device}-manager`);
    await t.login(manager, run.manager);
    await manager.waitForURL('**/queue');
    const queueLink = manager.locator(`a[href="/tickets/${number}"]`);
    await queueLink.waitFor();
    await queueLink.scrollIntoViewIfNeeded();
    assert.match(await queueLink.innerText(), new RegExp(title.replace(/[()]/g, '\\$&')));
    await fits(manager, 'queue');
    await shot(manager, 'manager-queue');
    await Promise.all([manager.waitForURL(`**/tickets/${number}`), queueLink.click()]);
    await manager.getByRole('heading', { name: new RegExp(number) }).waitFor();
    await assertThumbnail(manager, photoName, 'manager');
    await fits(manager, 'ticket page (manager)');
    await shot(manager, 'manager-ticket');

    await manager.locator('#status').selectOption({ label: QUESTION_LABEL });
    await manager.locator('#status-note').fill(question);
    await Promise.all([
      manager.waitForURL(`**/tickets/${number}#verlauf`),
      manager.getByRole('button', { name: 'Status setzen' }).click(),
    ]);
    assert.equal(await statusBadge(manager), QUESTION_LABEL);
    await manager.locator('.timeline').getByText(question).waitFor();
    await shot(manager, 'manager-asked');

    // --- The teacher sees the question and answers. ---
    await teacher.goto(`/tickets/${number}`);
    assert.equal(await statusBadge(teacher), QUESTION_LABEL_TEACHER);
    // The question itself at the top of the page, and in the history.
    await teacher.getByRole('region', { name: 'Rückfrage an Sie' }).getByText(question).waitFor();
    await teacher.locator('.timeline').getByText(question).waitFor();
    await fits(teacher, 'ticket page with question (teacher)');
    await shot(teacher, 'teacher-sees-question');
    await teacher.locator('#body').fill(answer);
    await Promise.all([
      teacher.waitForURL(`**/tickets/${number}#verlauf`),
      teacher.getByRole('button', { name: 'Senden', exact: true }).click(),
    ]);
    await teacher.locator('.timeline').getByText(answer).waitFor();
    // SLA.md §3: the teacher's answer puts the ticket back to work.
    assert.equal(await statusBadge(teacher), 'In Bearbeitung');
    await shot(teacher, 'teacher-answered');

    // --- The manager sees the answer and resolves. ---
    await manager.goto(`/tickets/${number}`);
    await manager.locator('.timeline').getByText(answer).waitFor();
    await shot(manager, 'manager-sees-answer');
    await manager.locator('#status').selectOption({ label: 'Gelöst' });
    await manager.locator('#status-note').fill(resolution);
    await Promise.all([
      manager.waitForURL(`**/tickets/${number}#verlauf`),
      manager.getByRole('button', { name: 'Status setzen' }).click(),
    ]);
    assert.equal(await statusBadge(manager), 'Gelöst');
    await manager.locator('.timeline').getByText(resolution).waitFor();
    await fits(manager, 'resolved ticket (manager)');
    await shot(manager, 'manager-resolved');

    // --- The teacher sees the resolution and confirms it. ---
    await teacher.goto(`/tickets/${number}`);
    assert.equal(await statusBadge(teacher), 'Gelöst');
    await teacher.locator('.timeline').getByText(resolution).waitFor();
    await teacher.getByRole('heading', { name: 'Ist das Problem gelöst?' }).waitFor();
    await teacher.getByRole('button', { name: 'Nein, wieder öffnen' }).waitFor();
    await fits(teacher, 'resolved ticket (teacher)');
    await shot(teacher, 'teacher-sees-resolution');
    await Promise.all([
      teacher.waitForURL(`**/tickets/${number}#verlauf`),
      teacher.getByRole('button', { name: 'Ja, Lösung bestätigen' }).click(),
    ]);
    assert.equal(await statusBadge(teacher), 'Geschlossen');
    // The whole story is in the history the teacher sees.
    const history = await teacher.locator('.timeline').innerText();
    for (const text of [question, answer, resolution]) assert.ok(history.includes(text), `history shows: ${text}`);
    await assertThumbnail(teacher, photoName, 'teacher after closing');
    await fits(teacher, 'closed ticket (teacher)');
    await shot(teacher, 'teacher-confirmed');
  }, { timeout: 60000 });
}
