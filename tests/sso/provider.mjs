// A real OpenID provider on loopback for campusdesk's single sign-on tests (tests/server/sso.tests.cpp,
// tests/e2e/specs/sso.spec.js). Started by tests/sso/provider, which installs the pinned node modules first.
//
// Prints "listening on http://127.0.0.1:PORT" as its first line, then serves two issuers:
//   http://127.0.0.1:PORT         oidc-provider (npm), the real thing: discovery, JWKS, a login form per
//                                 interaction, code flow with PKCE, userinfo, RP-initiated logout. Client
//                                 "campusdesk" (secret "campusdesk-secret"); its redirect URIs are loopback ones,
//                                 whose port the provider ignores for native clients (RFC 8252), so campusdesk may
//                                 listen on any free port.
//   http://127.0.0.1:PORT/forge   a forging issuer for the attack cases: its authorization endpoint redirects back
//                                 at once with a code that names a `scenario` (a query parameter the test appends),
//                                 and its token endpoint answers with the ID token of that scenario: valid (RS256
//                                 or ES256), expired, for another audience or issuer, with a wrong nonce, `alg: none`,
//                                 HS256 with the client secret, a bad signature, a key id not in the JWKS. POST
//                                 /forge/rotate adds a second key to the JWKS (key rotation); GET /forge/stats says
//                                 how often the JWKS was fetched.
// Test users (password "test" for all): teacher-<school> with groups ["lehrkraefte"] and a school number claim,
// manager01 (group "campus-manager"), dispatch1 ("helpdesk"), admin ("it-admin"), schueler ("schueler", no role).
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const users = new Map();
function addUser(login, claims) {
  users.set(login, { sub: `sub-${login}`, preferred_username: login, ...claims });
}
for (const school of (process.env.SSO_SCHOOLS || '141017,148037').split(',')) {
  addUser(`teacher-${school}`, { name: `Lehrkraft ${school}`, email: `teacher-${school}@schule.example`,
                                 groups: ['lehrkraefte'], schulnummer: school });
}
addUser('manager01', { name: 'Campus-Managerin Eins', email: 'manager01@schulen.example', groups: ['campus-manager'] });
addUser('dispatch1', { name: 'Helpdesk Eins', email: 'dispatch1@schulen.example', groups: ['helpdesk'] });
addUser('admin', { name: 'IT-Admin', email: 'admin@schulen.example', groups: ['it-admin'] });
addUser('schueler', { name: 'Ein Schüler', email: 'schueler@schule.example', groups: ['schueler'] });
const password = 'test';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(base, {
  clients: [{
    client_id: 'campusdesk',
    client_secret: 'campusdesk-secret',
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/sso/test/callback', 'http://127.0.0.1/sso/staff/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/login'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
    school: ['schulnummer'],
  },
  scopes: ['openid', 'profile', 'email', 'groups', 'school'],
  async findAccount(ctx, id) {
    const user = [...users.values()].find((u) => u.sub === id);
    if (!user) return undefined;
    return { accountId: id, async claims() { return { ...user }; } };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['campusdesk-sso-fixture'] },
});
provider.proxy = false;

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginForm(uid, error) {
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Schulkonto – Anmeldung</title></head>
<body><h1>Schulkonto</h1>${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">Benutzername</label><input id="username" name="username" autocomplete="username">
<label for="password">Passwort</label><input id="password" name="password" type="password">
<button type="submit">Anmelden</button></form></body></html>`;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function interaction(req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  const details = await provider.interactionDetails(req, res);
  if (!match || details.uid !== match[1]) throw new Error('interaction mismatch');
  // campusdesk is a first-party client here: consent is given without a screen.
  if (details.prompt.name === 'consent') {
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(details.uid, ''));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const user = users.get(form.get('username') || '');
  if (!user || form.get('password') !== password) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(details.uid, 'Benutzername oder Passwort falsch.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}

// --- the forging issuer ---
const forgeIssuer = `${base}/forge`;
const rsa1 = await jose.generateKeyPair('RS256', { extractable: true });
const rsa2 = await jose.generateKeyPair('RS256', { extractable: true });
const ec1 = await jose.generateKeyPair('ES256', { extractable: true });
const stranger = await jose.generateKeyPair('RS256', { extractable: true });
async function publicJwk(pair, kid, alg) {
  return { ...(await jose.exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
}
let rotated = false;
let jwksFetches = 0;
const codes = new Map();  // code -> { scenario, nonce }

async function forgedToken({ scenario, nonce }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: forgeIssuer, aud: 'campusdesk', sub: 'sub-forged-teacher', nonce, iat: now, exp: now + 300,
                   preferred_username: 'forged-teacher', name: 'Gefälschte Lehrkraft',
                   email: 'forged@schule.example', groups: ['lehrkraefte'], schulnummer: process.env.SSO_FORGE_SCHOOL || '141017' };
  let key = rsa1.privateKey; let header = { alg: 'RS256', kid: 'rsa1', typ: 'JWT' };
  switch (scenario) {
    case 'ok': break;
    case 'es256': key = ec1.privateKey; header = { alg: 'ES256', kid: 'ec1', typ: 'JWT' }; break;
    case 'rotated': key = rsa2.privateKey; header = { alg: 'RS256', kid: 'rsa2', typ: 'JWT' }; break;
    case 'expired': claims.iat = now - 7200; claims.exp = now - 3600; break;
    case 'future-iat': claims.iat = now + 3600; claims.exp = now + 7200; break;
    case 'wrong-aud': claims.aud = 'another-client'; break;
    case 'wrong-iss': claims.iss = `${base}/somebody-else`; break;
    case 'wrong-nonce': claims.nonce = 'a-nonce-of-another-login'; break;
    case 'no-nonce': delete claims.nonce; break;
    case 'bad-signature': key = stranger.privateKey; break;
    case 'unknown-kid': key = stranger.privateKey; header = { alg: 'RS256', kid: 'stranger', typ: 'JWT' }; break;
    case 'alg-none': return new jose.UnsecuredJWT(claims).encode();
    case 'hs256': return new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'rsa1' })
      .sign(new TextEncoder().encode('campusdesk-secret'));
    case 'no-school': delete claims.schulnummer; break;
    default: throw new Error(`unknown scenario ${scenario}`);
  }
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(key);
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function forge(req, res, url) {
  const path = url.pathname.slice('/forge'.length);
  if (path === '/.well-known/openid-configuration') {
    return json(res, 200, {
      issuer: forgeIssuer, authorization_endpoint: `${forgeIssuer}/auth`, token_endpoint: `${forgeIssuer}/token`,
      jwks_uri: `${forgeIssuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'], code_challenge_methods_supported: ['S256'],
    });
  }
  if (path === '/jwks') {
    ++jwksFetches;
    const keys = [await publicJwk(rsa1, 'rsa1', 'RS256'), await publicJwk(ec1, 'ec1', 'ES256')];
    if (rotated) keys.push(await publicJwk(rsa2, 'rsa2', 'RS256'));
    return json(res, 200, { keys });
  }
  if (path === '/rotate' && req.method === 'POST') { rotated = true; return json(res, 200, { rotated }); }
  if (path === '/stats') return json(res, 200, { jwks_fetches: jwksFetches });
  if (path === '/auth') {
    const p = url.searchParams;
    if (!p.get('code_challenge') || p.get('code_challenge_method') !== 'S256') return json(res, 400, { error: 'pkce required' });
    const code = crypto.randomBytes(16).toString('hex');
    codes.set(code, { scenario: p.get('scenario') || 'ok', nonce: p.get('nonce'), challenge: p.get('code_challenge') });
    const back = new URL(p.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state'));
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (path === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const entry = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!entry) return json(res, 400, { error: 'invalid_grant' });
    const verifier = form.get('code_verifier') || '';
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== entry.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
    return json(res, 200, { access_token: 'forged', token_type: 'Bearer', expires_in: 300,
                            id_token: await forgedToken(entry) });
  }
  return json(res, 404, { error: 'not found' });
}

const oidc = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, base);
  try {
    if (url.pathname === '/forge' || url.pathname.startsWith('/forge/')) return await forge(req, res, url);
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    return oidc(req, res);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err && err.message));
  }
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`listening on ${base}`);
// The starter reads that one line and may close the pipe: everything else goes to stderr (oidc-provider's notes too).
process.stdout.on('error', () => {});
console.log = console.info = (...args) => console.error(...args);
