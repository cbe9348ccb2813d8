'use strict';
// Issue 16, "Phones": at 390×844 (a phone) and at 320 px (400 % zoom of a 1280 px screen, WCAG 1.4.10 reflow) no
// page scrolls sideways, the header is shorter than the screen, long unbroken titles wrap; on a phone the queue's
// first ticket, the manager's question to a teacher and a ticket's actions are on the first screens, not four
// screens down.

const { test, assert, loginApi, fileTicket, act } = require('../lib/harness');

const PHONE = { width: 390, height: 844 };
const ZOOM = { width: 320, height: 800 };  // 1280 × 3200 at 400 %

// One word of 180 letters, as people paste serial numbers and URLs into titles.
const LONG_WORD = `Beamer${'X'.repeat(160)}defekt`;

async function measure(page) {
  return page.evaluate(() => {
    const header = document.querySelector('body > header');
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      header: header ? header.getBoundingClientRect().height : 0,
      wide: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => !el.closest('.table-wrap'))
        .slice(0, 4)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).trim().split(/\s+/).join('.')}`),
    };
  });
}

async function assertFits(page, where) {
  const m = await measure(page);
  // A phone's browser widens its layout viewport to a too-wide page: compare with the screen's width as well.
  const width = page.viewportSize().width;
  assert.ok(m.scrollWidth <= m.innerWidth && m.scrollWidth <= width,
    `${where}: no sideways scrolling at ${width} px (scrollWidth ${m.scrollWidth}, innerWidth ${m.innerWidth}; ` +
    `too wide: ${m.wide.join(', ')})`);
  assert.ok(m.header < m.innerHeight * 0.6,
    `${where}: the header (${Math.round(m.header)} px) leaves most of the ${m.innerHeight} px screen to the page`);
}

// The top of an element in the page (not the viewport), in CSS pixels.
async function topOf(locator) {
  return locator.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
}

test('phone: pages fit 390 px and 320 px (400 % zoom), headers stay short, long titles wrap', async (t) => {
  const teacherApi = await t.api();
  const csrf = await loginApi(teacherApi, 'teacher-148037');
  const { number } = await fileTicket(teacherApi, csrf, LONG_WORD, { description: `Siehe ${'Y'.repeat(300)}` });

  const pages = {
    teacher: ['/tickets', '/tickets/new', `/tickets/${number}`, '/account', '/stoerungen'],
    manager01: ['/queue', `/tickets/${number}`, '/visits', '/geraete', '/wartung', '/stoerungen', '/textbausteine'],
    dispatch1: ['/dispatch', '/reports/sla', '/dispatch/telefon', '/dispatch/absences', '/geraete/import', '/wartung/neu'],
    admin: ['/admin/benutzer', '/admin/schulen', '/admin/konfiguration'],
  };
  for (const [login, paths] of Object.entries(pages)) {
    const page = await t.newPage('phone', `phone-${login}`);
    await t.login(page, login === 'teacher' ? 'teacher-148037' : login);
    for (const size of [PHONE, ZOOM]) {
      await page.setViewportSize(size);
      for (const path of paths) {
        await page.goto(path);
        await assertFits(page, `${login} ${path} at ${size.width} px`);
      }
    }
    if (login === 'manager01') {
      // The long title wraps inside the queue's row and the ticket's heading.
      await page.goto(`/tickets/${number}`);
      const h1 = await page.locator('h1').evaluate((el) => ({ width: el.scrollWidth, box: el.clientWidth }));
      assert.ok(h1.width <= h1.box, `the long title wraps in the heading (${h1.width} > ${h1.box})`);
      await t.screenshot(page, 'phone-320-ticket-long-title.png');
    }
  }
}, { timeout: 120000 });

test('phone: the queue\'s first ticket, the teacher\'s question and the ticket\'s actions are on the first screen', async (t) => {
  const teacherApi = await t.api();
  const csrf = await loginApi(teacherApi, 'teacher-148037');
  const { number } = await fileTicket(teacherApi, csrf, 'Drucker im Lehrerzimmer druckt nur leere Seiten (phone)',
    { description: 'Seit gestern. Toner ist neu. '.repeat(12) });
  const managerApi = await t.api();
  const managerCsrf = await loginApi(managerApi, 'manager01');
  await act(managerApi, managerCsrf, number, 'replies', { body: 'Ich schaue es mir an. '.repeat(6), internal: false });
  await act(managerApi, managerCsrf, number, 'status', { status: 'waiting_on_requester', note: 'Welches Druckermodell ist es?' });

  // The manager's queue: the first ticket within the first screen, below a folded filter form.
  const manager = await t.newPage('phone', 'phone-manager');
  await manager.setViewportSize(PHONE);
  await t.login(manager, 'manager01');
  await manager.goto('/queue');
  const first = manager.locator('ul.tickets li a').first();
  const firstTop = await topOf(first);
  process.stdout.write(`    queue: first ticket at y=${Math.round(firstTop)}\n`);
  assert.ok(firstTop + 40 < PHONE.height, `the queue's first ticket is on the first screen (y=${Math.round(firstTop)})`);
  // The filters are one tap away, and open by themselves when a filter is set.
  const filters = manager.locator('details.filters-fold');
  assert.equal(await filters.getAttribute('open'), null, 'the filter form is folded on a phone without filters');
  await filters.locator('summary').click();
  assert.ok(await manager.locator('#f-q').isVisible(), 'a tap opens the filters');
  await manager.goto('/queue?q=Drucker');
  assert.notEqual(await manager.locator('details.filters-fold').getAttribute('open'), null, 'a set filter shows the form');
  await t.screenshot(manager, 'phone-390-queue.png');

  // The ticket page for the manager: what to do (status, reply) starts within two screens.
  await manager.goto(`/tickets/${number}`);
  const actions = manager.locator('nav.ticket-actions');
  const actionsTop = await topOf(actions);
  process.stdout.write(`    ticket (manager): actions at y=${Math.round(actionsTop)}\n`);
  assert.ok(actionsTop < PHONE.height, `the ticket's actions are reachable on the first screen (y=${Math.round(actionsTop)})`);
  for (const link of await actions.locator('a').all()) {
    const target = (await link.getAttribute('href')).slice(1);
    assert.equal(await manager.locator(`[id="${target}"]`).count(), 1, `the action link #${target} leads somewhere`);
  }
  await t.screenshot(manager, 'phone-390-ticket-manager.png');

  // The teacher: the manager's question is on the first screen.
  const teacher = await t.newPage('phone', 'phone-teacher');
  await teacher.setViewportSize(PHONE);
  await t.login(teacher, 'teacher-148037');
  await teacher.goto(`/tickets/${number}`);
  const question = teacher.locator('.question', { hasText: 'Welches Druckermodell ist es?' });
  const questionTop = await topOf(question);
  process.stdout.write(`    ticket (teacher): question at y=${Math.round(questionTop)}\n`);
  assert.ok(questionTop + 40 < PHONE.height, `the manager's question is on the teacher's first screen (y=${Math.round(questionTop)})`);
  await t.screenshot(teacher, 'phone-390-ticket-teacher.png');
}, { timeout: 90000 });
