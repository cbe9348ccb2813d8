'use strict';
// Issue 16, "Done when": a keyboard-only run. A teacher logs in, files a ticket; the campus manager answers it and
// resolves it with the required note (refused first without it). Only Tab, Shift+Tab, Enter, Space, arrow keys and
// typing: no clicks, no filling fields through the DOM. At every step the focused element shows a focus ring.

const { test, assert } = require('../lib/harness');

// What has the focus, and whether it is visibly marked (an outline or a box shadow).
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', ring: false };
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = Boolean(s.boxShadow) && s.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', name: el.name || '',
      href: el.getAttribute('href') || '', text: (el.innerText || el.value || '').trim().slice(0, 60),
      form: el.form ? el.form.id : '', ring: outline || shadow,
      where: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} “${(el.innerText || '').trim().slice(0, 30)}”`,
    };
  });
}

// Presses Tab (or Shift+Tab) until the focused element matches; every element passed on the way must show focus.
async function tabTo(page, matches, what, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (f.tag !== 'body') assert.ok(f.ring, `the focused ${f.where} shows a focus ring (on the way to ${what})`);
    if (matches(f)) return f;
  }
  throw new Error(`${what}: not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

// Arrow keys on the focused select or radio group until the chosen option's value is `value`.
async function arrowTo(page, value, what) {
  for (let i = 0; i < 20; i++) {
    const current = await page.evaluate(() => {
      const el = document.activeElement;
      return el.type === 'radio' ? (el.checked ? el.value : '') : el.value;
    });
    if (current === value) {
      assert.ok((await focused(page)).ring, `${what}: the choice shows the focus ring`);
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`${what}: ${value} not reached with the arrow keys`);
}

async function logIn(page, login) {
  await page.goto('/login');
  await tabTo(page, (f) => f.id === 'login', 'the login field');
  await page.keyboard.type(login);
  await tabTo(page, (f) => f.id === 'password', 'the password field');
  await page.keyboard.type('demo');
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.keyboard.press('Enter')]);
}

test('keyboard: a teacher files a ticket, the manager answers and resolves it, by keyboard alone', async (t) => {
  const title = `Dokumentenkamera zeigt kein Bild (Tastatur ${Date.now().toString(36)})`;

  // The teacher: log in, the skip link, the navigation's "Störung melden", the form.
  const teacher = await t.newPage('laptop', 'keyboard-teacher');
  await logIn(teacher, 'teacher-148037');
  await tabTo(teacher, (f) => f.href === '/tickets/new', 'the link "Störung melden"');
  await Promise.all([teacher.waitForURL(/\/tickets\/new$/), teacher.keyboard.press('Enter')]);
  await tabTo(teacher, (f) => f.id === 'category', 'the category');
  await arrowTo(teacher, 'presentation', 'category');
  await tabTo(teacher, (f) => f.type === 'radio' && f.name === 'priority', 'the priority');
  await arrowTo(teacher, 'normal', 'priority');
  await tabTo(teacher, (f) => f.id === 'title', 'the title');
  await teacher.keyboard.type(title);
  await tabTo(teacher, (f) => f.id === 'room', 'the room');
  await teacher.keyboard.type('A 0.07');
  await tabTo(teacher, (f) => f.tag === 'button' && f.type === 'submit' && /Meldung absenden/.test(f.text), 'the send button');
  await Promise.all([teacher.waitForURL(/\/tickets\/CD-/), teacher.keyboard.press('Space')]);
  assert.equal((await teacher.locator('h1').innerText()).replace(/^CD-\S+\s*/, ''), title);
  const number = (await teacher.locator('.ticket-number').first().innerText()).trim();
  await t.screenshot(teacher, 'keyboard-01-filed.png');

  // The manager: log in, open the ticket, jump to the reply form by the page's action links, answer.
  const manager = await t.newPage('laptop', 'keyboard-manager');
  await logIn(manager, 'manager01');
  await manager.goto(`/tickets/${number}`);
  await tabTo(manager, (f) => f.href === '#antwort-titel', 'the action link to the reply');
  await manager.keyboard.press('Enter');
  const afterJump = await tabTo(manager, (f) => f.tag === 'textarea', 'the reply text', { max: 3 });
  assert.equal(afterJump.id, 'body', 'Tab after the jump link lands in the reply form');
  await manager.keyboard.type('Ich komme morgen in der 2. Stunde vorbei.');
  await tabTo(manager, (f) => f.form === 'antworten' && f.tag === 'button' && f.type === 'submit' && !f.name, 'the reply button');
  await Promise.all([manager.waitForNavigation(), manager.keyboard.press('Enter')]);
  assert.ok(await manager.locator('.timeline', { hasText: 'Ich komme morgen in der 2. Stunde vorbei.' }).isVisible());

  // Resolve without the note: refused at the note, which has the focus; then with it.
  await manager.goto(`/tickets/${number}`);
  await tabTo(manager, (f) => f.href === '#status-titel', 'the action link to the status');
  await manager.keyboard.press('Enter');
  await tabTo(manager, (f) => f.id === 'status', 'the status select', { max: 3 });
  await arrowTo(manager, 'resolved', 'status');
  await tabTo(manager, (f) => f.form === 'status-aendern' && f.tag === 'button' && /Status setzen/.test(f.text), 'the status button');
  await Promise.all([manager.waitForNavigation(), manager.keyboard.press('Enter')]);
  const refused = await focused(manager);
  assert.equal(refused.id, 'status-note', 'the focus is on the note the refusal names');
  assert.ok(refused.ring, 'the note shows the focus ring');
  assert.equal(await manager.locator('#status').inputValue(), 'resolved', 'the chosen status is kept');
  await t.screenshot(manager, 'keyboard-02-refused.png');
  await manager.keyboard.type('HDMI-Kabel der Dokumentenkamera getauscht.');
  await tabTo(manager, (f) => f.form === 'status-aendern' && f.tag === 'button' && /Status setzen/.test(f.text), 'the status button');
  await Promise.all([manager.waitForNavigation(), manager.keyboard.press('Enter')]);
  assert.equal((await manager.locator('.facts .badge[class*="status-"]').innerText()).trim(), 'Gelöst');
  await t.screenshot(manager, 'keyboard-03-resolved.png');

  // Shift+Tab goes back through the page the same way, every stop visible.
  await tabTo(manager, (f) => f.href === '/queue', 'the queue link, backwards', { back: true, max: 120 });
});
