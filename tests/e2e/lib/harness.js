'use strict';
// A small test runner for the browser tests: one headless Debian chromium, driven by playwright-core; each test
// gets fresh browser contexts (separate cookies = separate people) and the helpers below. Plain CommonJS so that
// Debian 12's Node 18 runs it without a build step.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium, request } = require('playwright-core');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
// tests/proxy/run: nginx in front with a self-signed certificate made by the test.
const IGNORE_HTTPS_ERRORS = process.env.E2E_IGNORE_HTTPS_ERRORS === '1';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The devices of issue 4: a teacher's or manager's iPad (portrait) and a phone.
const VIEWPORTS = {
  ipad: { viewport: { width: 820, height: 1180 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
  phone: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 },
  laptop: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 },
  a4: { viewport: { width: 794, height: 1123 }, deviceScaleFactor: 1 },
};

const registered = [];
function test(name, fn, { timeout = 60000 } = {}) { registered.push({ name, fn, timeout }); }

// A tiny valid PNG (32x32, blue square) — the "photo" a teacher attaches.
const PHOTO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAKElEQVR42u3NMQ0AAAgDsPlDGLangoOkSf8ms7cEAoFAIBAIBALBl6CabUguQVOuMgAAAABJRU5ErkJggg==',
  'base64');

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// Everything a test gets: the server's base URL, the artifacts dir, fresh contexts, screenshots and checks.
class TestContext {
  constructor(browser, { baseURL, artifacts, tmp, name }) {
    this.browser = browser;
    this.baseURL = baseURL;
    this.artifacts = artifacts;
    this.tmp = tmp;
    this.name = name;
    this.contexts = [];
    this.requests = [];
    this.pageErrors = [];
    this.screenshots = [];
  }

  // A new person at a new device: its own cookies, its own viewport; a German browser unless `locale` says
  // otherwise (it sets Accept-Language, which picks the pages' language when the user has not chosen one).
  async newPage(device = 'desktop', label = device, { locale = 'de-DE' } = {}) {
    const options = VIEWPORTS[device];
    if (!options) throw new Error(`unknown device ${device}`);
    const context = await this.browser.newContext({
      ...options, baseURL: this.baseURL, ignoreHTTPSErrors: IGNORE_HTTPS_ERRORS, locale, timezoneId: 'Europe/Berlin', reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);
    const page = await context.newPage();
    page.on('pageerror', (err) => this.pageErrors.push(`${label}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/favicon/.test(msg.location().url || '')) {
        process.stdout.write(`    [${label} console.error] ${msg.text()}\n`);
      }
    });
    page.__label = label;
    this.contexts.push(context);
    return page;
  }

  // An HTTP client outside the browser (for API calls), with its own cookie jar.
  async api() {
    const ctx = await request.newContext({ baseURL: this.baseURL, ignoreHTTPSErrors: IGNORE_HTTPS_ERRORS, timeout: 10000 });
    this.requests.push(ctx);
    return ctx;
  }

  async login(page, login, password = 'demo') {
    await page.goto('/login');
    await page.fill('#login', login);
    await page.fill('#password', password);
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/login')),
      // The login form's one button, "Anmelden" or "Log in" by the browser's language.
      page.locator('form[action="/login"] button[type="submit"]').click(),
    ]);
  }

  async screenshot(page, file) {
    const target = path.join(this.artifacts, file);
    await page.screenshot({ path: target, fullPage: true, animations: 'disabled' });
    this.screenshots.push(file);
    return target;
  }

  // The page must not scroll sideways: everything fits the device width (issue 4: "works at 375 px").
  async assertNoHorizontalScroll(page, where) {
    const m = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      // What sticks out, to make a failure actionable.
      wide: Array.from(document.querySelectorAll('main *'))
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => !el.closest('.table-wrap'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(el.getBoundingClientRect().right)})`),
    }));
    const width = page.viewportSize().width;
    assert.ok(m.scrollWidth <= m.innerWidth && m.scrollWidth <= width,
      `${where}: page scrolls sideways at ${width} px (scrollWidth ${m.scrollWidth}, innerWidth ${m.innerWidth}); ` +
      `too wide: ${m.wide.join(', ') || '?'}`);
  }

  // axe-core (WCAG 2.1 A/AA) on what the page shows now, in light or dark mode. Evaluated through the DevTools
  // protocol, so the pages' CSP (no inline script) stays as it is.
  async axe(page, { dark = false } = {}) {
    if (dark) await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(`${AXE_SOURCE}\n;0`);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    if (dark) await page.emulateMedia({ colorScheme: 'light' });
    return result;
  }

  // Fails on any axe violation, naming rule, impact and elements.
  async assertAccessible(page, where, options = {}) {
    const result = await this.axe(page, options);
    const found = result.violations.map((v) => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ') + (v.nodes.length > 3 ? ` … ${v.nodes.length} in all` : ''));
    assert.deepEqual(found, [], `${where}: axe finds no WCAG 2.1 A/AA violations`);
    assert.ok(result.passes.length > 10, `${where}: axe checked the page (${result.passes.length} rules passed)`);
    return result;
  }

  // Counts the page's live-update connections (EventSource), before it loads; then waitForLiveStream().
  async watchLiveStreams(page) {
    await page.addInitScript(() => {
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
  }

  // Waits until one of the page's live-update connections is open, then marks the page so that
  // stillNotReloaded(page) can tell a reload from an update in place.
  async waitForLiveStream(page) {
    await page.waitForFunction(() => (window.__liveSources || []).some((s) => s.readyState === 1), null, { timeout: 5000 });
    await page.evaluate(() => { window.__notReloaded = true; });
  }

  async stillNotReloaded(page) { return page.evaluate(() => window.__notReloaded === true); }

  // The help desk's board (/dispatch) as `login`, once its live-update connection is open.
  async openLiveBoard(login = 'dispatch1') {
    const board = await this.newPage('desktop', 'dispatcher');
    await this.watchLiveStreams(board);
    await this.login(board, login);
    await board.goto('/dispatch');
    await board.getByRole('heading', { name: 'Leitstand', exact: true }).waitFor();
    await this.waitForLiveStream(board);
    return board;
  }

  photoFile(name = 'beamer-foto.png') {
    const file = path.join(this.tmp, name);
    fs.writeFileSync(file, PHOTO_PNG);
    return file;
  }

  async close(failed) {
    if (failed) {
      // Whatever every open page shows at the moment of failure.
      let n = 0;
      for (const context of this.contexts) {
        for (const page of context.pages()) {
          const file = `FAILED-${this.name}-${++n}-${page.__label || 'page'}.png`;
          try {
            await withTimeout(page.screenshot({ path: path.join(this.artifacts, file), fullPage: true }), 10000, 'screenshot');
            process.stdout.write(`    failure screenshot: ${file} (${page.url()})\n`);
          } catch (e) { /* the page may be gone */ }
        }
      }
    }
    for (const context of this.contexts) await context.close().catch(() => {});
    for (const r of this.requests) await r.dispose().catch(() => {});
  }
}

async function main() {
  const baseURL = process.env.E2E_BASE_URL;
  const artifacts = process.env.E2E_ARTIFACTS;
  if (!baseURL || !artifacts) throw new Error('E2E_BASE_URL and E2E_ARTIFACTS must be set (use tests/e2e/run BUILD_DIR)');
  fs.mkdirSync(artifacts, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'campusdesk-e2e-'));
  const only = (process.env.E2E_ONLY || '').split(',').filter(Boolean);
  const specDir = process.env.E2E_SPEC_DIR || path.join(__dirname, '..', 'specs');
  for (const file of fs.readdirSync(specDir).filter((f) => f.endsWith('.spec.js')).sort()) {
    if (only.length && !only.some((o) => file.includes(o))) continue;
    require(path.join(specDir, file));
  }

  // playwright-core always starts chromium with a fresh, temporary --user-data-dir of its own (under TMPDIR,
  // which tests/e2e/run points at a temporary directory), so no profile state survives between runs.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
  process.stdout.write(`chromium ${browser.version()} · ${baseURL}\n`);
  const started = Date.now();
  const failures = [];
  for (const t of registered) {
    const tc = new TestContext(browser, { baseURL, artifacts, tmp, name: t.name.replace(/[^a-z0-9]+/gi, '-') });
    const t0 = Date.now();
    let error = null;
    try {
      await withTimeout(t.fn(tc), t.timeout, t.name);
      if (tc.pageErrors.length) throw new Error(`JavaScript errors on the page: ${tc.pageErrors.join('; ')}`);
    } catch (e) {
      error = e;
    }
    await tc.close(Boolean(error));
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (error) {
      failures.push(t.name);
      process.stdout.write(`not ok  ${t.name} (${secs} s)\n      ${String(error && error.stack || error).split('\n').slice(0, 8).join('\n      ')}\n`);
    } else {
      process.stdout.write(`ok      ${t.name} (${secs} s, ${tc.screenshots.length} screenshots)\n`);
    }
  }
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  const total = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n${registered.length - failures.length} of ${registered.length} browser tests passed in ${total} s; ` +
    `screenshots in ${artifacts}\n`);
  if (failures.length) {
    process.stdout.write(`FAILED: ${failures.join(', ')}\n`);
    process.exitCode = 1;
  }
  if (!registered.length) { process.stdout.write('no tests matched E2E_ONLY\n'); process.exitCode = 1; }
}

// API helpers for the tests' second clients (request contexts from t.api()): log in and keep the CSRF token,
// file a ticket, act on one.
async function loginApi(client, login, password = 'demo') {
  const session = await client.post('/api/v1/session', { data: { login, password } });
  assert.equal(session.status(), 200, `login ${login}: ${await session.text()}`);
  return (await session.json()).csrf_token;
}

async function fileTicket(client, csrf, title, extra = {}) {
  const created = await client.post('/api/v1/tickets', {
    headers: { 'X-CSRF-Token': csrf },
    data: { category: 'presentation', priority: 'normal', title, room: 'B 1.12', ...extra },
  });
  assert.equal(created.status(), 201, `filing: ${await created.text()}`);
  return created.json();
}

async function act(client, csrf, number, action, data) {
  const r = await client.post(`/api/v1/tickets/${number}/${action}`, { headers: { 'X-CSRF-Token': csrf }, data });
  assert.ok(r.ok(), `${action} ${number}: ${r.status()} ${await r.text()}`);
  return r.json();
}

module.exports = { test, assert, sleep, VIEWPORTS, main, loginApi, fileTicket, act };

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
}
