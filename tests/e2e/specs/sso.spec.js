'use strict';
// Issue 19, single sign-on: a teacher clicks "Mit Schulkonto anmelden", logs in at a real OpenID provider
// (tests/sso/provider: npm oidc-provider on loopback), lands on "Störung melden" with the school of the provider's
// claim and files a ticket. This spec starts its own provider and its own campusdesk (with an [oidc] section),
// so the shared demo server of the other specs stays as it is.

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { test, assert } = require('../lib/harness');

const root = path.resolve(__dirname, '../../..');

// Starts a program and resolves with the first line it prints ("listening on http://…"); the process is killed
// when the test ends.
function startAnnouncing(command, args, children) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline).replace(/^listening on /, ''));
    });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code} before it listened: ${err.slice(-2000)}`)));
  });
}

function ssoConfig(dir, issuer) {
  const shipped = path.join(root, 'config');
  let toml = fs.readFileSync(path.join(shipped, 'campusdesk.toml'), 'utf8');
  // The lists stay the repository's: [files] names them absolutely.
  toml = toml.replace(/^schools = "schools.csv"$/m, `schools = "${path.join(shipped, 'schools.csv')}"`)
    .replace(/^managers = "managers.csv"$/m, `managers = "${path.join(shipped, 'managers.csv')}"`)
    .replace(/^holidays = "calendar\/nw.toml"$/m, `holidays = "${path.join(shipped, 'calendar/nw.toml')}"`);
  toml += `
[oidc]
[[oidc.providers]]
id = "test"
label = "Mit Schulkonto anmelden"
issuer = "${issuer}"
client_id = "campusdesk"
client_secret = "campusdesk-secret"
scopes = ["openid", "profile", "email", "groups", "school"]
logout = true
claims = { school = "schulnummer" }
roles = [{ value = "campus-manager", role = "campus_manager" }, { value = "lehrkraefte", role = "teacher" }]
`;
  const file = path.join(dir, 'campusdesk.toml');
  fs.writeFileSync(file, toml);
  return file;
}

test('sso: a teacher logs in with the school account and files a ticket', async (t) => {
  const children = [];
  try {
    const issuer = await startAnnouncing(path.join(root, 'tests/sso/provider'), [], children);
    const dir = fs.mkdtempSync(path.join(t.tmp, 'sso-'));
    const config = ssoConfig(dir, issuer);
    const base = await startAnnouncing(process.env.E2E_BINARY,
      ['serve', '--config', config, '--data', path.join(dir, 'data'), '--listen', '127.0.0.1:0'], children);

    const teacher = await t.newPage('ipad', 'sso-teacher');
    await teacher.goto(`${base}/login`);
    await t.assertAccessible(teacher, 'login page with a provider');
    await t.screenshot(teacher, 'sso-01-login.png');
    await Promise.all([
      teacher.waitForURL((url) => url.href.startsWith(issuer)),
      teacher.getByRole('link', { name: 'Mit Schulkonto anmelden' }).click(),
    ]);
    await teacher.getByLabel('Benutzername').fill('teacher-141017');
    await teacher.getByLabel('Passwort').fill('test');
    await t.screenshot(teacher, 'sso-02-provider.png');
    await Promise.all([
      teacher.waitForURL(`${base}/tickets/new`),
      teacher.getByRole('button', { name: 'Anmelden' }).click(),
    ]);
    await teacher.getByRole('heading', { name: 'Störung melden' }).waitFor();
    assert.match(await teacher.locator('.who').innerText(), /Lehrkraft 141017/);
    await t.screenshot(teacher, 'sso-03-form.png');

    const title = `WLAN im Lehrerzimmer (SSO ${Date.now().toString(36)})`;
    await teacher.getByLabel('Was ist betroffen?').selectOption({ index: 1 });
    await teacher.locator('input[name="priority"][value="normal"]').check();
    await teacher.getByLabel('Kurzbeschreibung (Pflichtangabe)', { exact: true }).fill(title);
    await Promise.all([
      teacher.waitForURL(/\/tickets\/CD-\d{4}-\d{6}/),
      teacher.getByRole('button', { name: 'Meldung absenden' }).click(),
    ]);
    await teacher.getByText('Ihre Meldung ist eingegangen').waitFor();
    // The ticket belongs to the school of the provider's claim.
    assert.match(await teacher.locator('main').innerText(), /Grundschule Mengede/);
    await t.screenshot(teacher, 'sso-04-ticket.png');

    // Logging out ends the provider's session too (RP-initiated logout): the browser is at the provider.
    await Promise.all([
      teacher.waitForURL((url) => url.href.startsWith(`${issuer}/session/end`)),
      teacher.getByRole('button', { name: 'Abmelden' }).click(),
    ]);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
});
