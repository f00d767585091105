// Authentication: passwords, lockout, sessions, CSRF, tokens, TOTP, and
// that no secret ever reaches the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, demoDatabase, startServer, getJson, login, sessionClient, tokenClient, assertError,
  demoPassword, totp,
} from './helpers.mjs';

let dir, db, server, base, admin;
const secrets = new Set([demoPassword]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Sessions idle out after 2 s here, so tests sign in afresh when they need to.
async function asAdmin() {
  const c = await login(base, 'sysadmin');
  secrets.add(c.cookie.split('=')[1]);
  return c;
}

// Short timeouts so that expiry and unlock can be observed in seconds.
const timeouts = ['--session-idle-timeout', '2', '--lockout-duration', '2'];

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  server = await startServer(db, timeouts);
  base = server.url;
  admin = await asAdmin();
  assert.ok(admin);
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

async function rawLogin(username, password, extra = {}) {
  return getJson(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, ...extra }),
  });
}

test('login sets an HttpOnly SameSite=Strict cookie with a 256-bit id', async () => {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST', body: JSON.stringify({ username: 'zj_viewer', password: demoPassword }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^tianbao_session=[0-9a-f]{64};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const body = await res.json();
  assert.equal(body.user.username, 'zj_viewer');
  assert.deepEqual(body.user.roles, ['viewer']);
  assert.equal(body.user.orgUnit.code, '4408');
  assert.match(body.csrfToken, /^[0-9a-f]{32}$/);
  secrets.add(cookie.split(';')[0].split('=')[1]);
});

test('wrong passwords and unknown users get the same answer', async () => {
  const wrong = await rawLogin('zj_viewer', 'Wrong#pass1');
  const unknown = await rawLogin('nobody_here', 'Wrong#pass1');
  assertError(assert, wrong, 401, 'bad_credentials');
  assertError(assert, unknown, 401, 'bad_credentials');
  assert.equal(wrong.body.error.message, unknown.body.error.message);
  assertError(assert, await rawLogin('zj_viewer', 42), 400, 'invalid_type');
  assertError(assert, await getJson(`${base}/api/login`, { method: 'POST', body: 'not json' }), 400, 'invalid_json');
});

test('five bad passwords lock the account; it unlocks after the period', async () => {
  for (let i = 1; i <= 4; i++) assertError(assert, await rawLogin('zh_viewer', `Bad#pass${i}`), 401, 'bad_credentials');
  assertError(assert, await rawLogin('zh_viewer', 'Bad#pass5'), 429, 'account_locked');
  // Locked: even the right password is refused.
  const locked = await rawLogin('zh_viewer', demoPassword);
  assertError(assert, locked, 429, 'account_locked');
  assert.match(locked.body.error.message, /锁定/);
  const user = await (await asAdmin()).get('/api/users/zh_viewer');
  assert.equal(user.body.locked, true);
  await sleep(2300);
  assert.equal((await rawLogin('zh_viewer', demoPassword)).status, 200);
  const failures = await (await asAdmin()).get('/api/audit?user=zh_viewer&action=login&limit=20');
  assert.ok(failures.body.records.filter((r) => r.outcome === 'failed').length >= 6);
});

test('an administrator can unlock a locked account at once', async () => {
  for (let i = 0; i < 5; i++) await rawLogin('zh_approver', 'Bad#pass0');
  assertError(assert, await rawLogin('zh_approver', demoPassword), 429, 'account_locked');
  const zhAdmin = await login(base, 'zh_admin');
  assert.equal((await zhAdmin.post('/api/users/zh_approver/unlock')).status, 200);
  assert.equal((await rawLogin('zh_approver', demoPassword)).status, 200);
});

test('an idle session expires; an active one does not', async () => {
  const active = await login(base, 'ck_viewer');
  const idle = await login(base, 'ck_approver');
  for (let i = 0; i < 6; i++) {
    await sleep(500);
    assert.equal((await active.get('/api/me')).status, 200, `active request ${i}`);
  }
  const expired = await idle.get('/api/me');
  assertError(assert, expired, 401, 'session_expired');
});

test('writes with a session cookie need the CSRF token', async () => {
  const zj = await login(base, 'zj_admin');
  const body = { orgUnit: '4408', name: '王五', title: '联络员', mobile: '13711112222' };
  assertError(assert, await zj.post('/api/contacts', body, { 'x-csrf-token': '' }), 403, 'csrf_failed');
  assertError(assert, await zj.post('/api/contacts', body, { 'x-csrf-token': 'f'.repeat(32) }), 403, 'csrf_failed');
  const list = await zj.get('/api/contacts?q=王五');
  assert.equal(list.body.contacts.length, 0, 'nothing was stored');
  assert.equal((await zj.post('/api/contacts', body)).status, 201);
});

test('first login forces a password change; the change ends other sessions', async () => {
  const created = await (await asAdmin()).post('/api/users', {
    username: 'newbie', displayName: '新人', orgUnit: '440802', roles: ['filler'],
  });
  assert.equal(created.status, 201);
  const temporary = created.body.temporaryPassword;
  assert.ok(temporary);
  secrets.add(temporary);
  const first = await login(base, 'newbie', temporary);
  assert.equal(first.mustChangePassword, true);
  assertError(assert, await first.get('/api/orgunits/440802'), 403, 'password_change_required');
  assert.equal((await first.get('/api/me')).status, 200);
  const other = await login(base, 'newbie', temporary);
  for (const [weak, why] of [['short1A', 'short'], ['alllowercase', 'one class'], ['newbie', 'username']]) {
    assertError(assert, await first.post('/api/password', { old: temporary, new: weak }), 400, 'weak_password', why);
  }
  assertError(assert, await first.post('/api/password', { old: 'Wrong#old1', new: 'Good#pass1' }), 400, 'wrong_password');
  const res = await fetch(`${base}/api/password`, {
    method: 'POST',
    headers: { cookie: first.cookie, 'x-csrf-token': first.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ old: temporary, new: 'Good#pass1' }),
  });
  assert.equal(res.status, 200);
  secrets.add('Good#pass1');
  const renewed = sessionClient(base, res, await res.json());
  assert.equal((await renewed.get('/api/orgunits/440802')).status, 200);
  assertError(assert, await first.get('/api/me'), 401, 'session_expired');
  assertError(assert, await other.get('/api/me'), 401, 'session_expired');
  assert.equal((await rawLogin('newbie', temporary)).status, 401);
});

test('logout ends the session', async () => {
  const c = await login(base, 'gd_viewer');
  assert.equal((await c.post('/api/logout')).status, 200);
  assertError(assert, await c.get('/api/me'), 401, 'session_expired');
});

test('API tokens: shown once, scoped to the owner, revocation takes effect at once', async () => {
  const zj = await login(base, 'zj_viewer');
  const created = await zj.post('/api/tokens', { name: '统计局对接' });
  assert.equal(created.status, 201);
  const { token, id, prefix } = created.body;
  assert.match(token, /^tb_[0-9a-f]{64}$/);
  assert.ok(token.startsWith(prefix));
  secrets.add(token);
  const api = tokenClient(base, token);
  assert.equal((await api.get('/api/orgunits/4408')).status, 200);
  assert.equal((await api.get('/api/orgunits/4404')).status, 404);
  // Programs need no CSRF token; the token's rights are its owner's.
  assertError(assert, await api.post('/api/orgunits', { code: 'T_X', name: '局', parent: '4408' }), 403, 'permission_denied');
  const list = await zj.get('/api/tokens');
  const listed = list.body.tokens.find((t) => t.id === id);
  assert.equal(listed.token, undefined, 'never shown again');
  assert.ok(listed.lastUsedAt, 'last use recorded');
  assert.equal((await zj.del(`/api/tokens/${id}`)).status, 200);
  assertError(assert, await api.get('/api/orgunits/4408'), 401, 'invalid_token');
  assertError(assert, await zj.del(`/api/tokens/${id}`), 404, 'unknown_token');
  const other = await login(base, 'zj_filler');
  const theirs = await other.post('/api/tokens', { name: 'x' });
  secrets.add(theirs.body.token);
  assertError(assert, await zj.del(`/api/tokens/${theirs.body.id}`), 404, 'unknown_token');
  assertError(assert, await tokenClient(base, 'tb_' + '0'.repeat(64)).get('/api/me'), 401, 'invalid_token');
});

test('TOTP second factor (RFC 6238) for an administrator', async () => {
  const ck = await login(base, 'ck_admin');
  assert.equal(ck.user.totpEnabled, false);
  const setup = await ck.post('/api/totp/setup');
  assert.equal(setup.status, 200);
  const { secret } = setup.body;
  assert.match(setup.body.otpauthUrl, /^otpauth:\/\/totp\//);
  secrets.add(secret);
  assertError(assert, await ck.post('/api/totp/enable', { secret, code: '000000' === totp(secret) ? '111111' : '000000' }), 400, 'bad_totp');
  assert.equal((await ck.post('/api/totp/enable', { secret, code: totp(secret) })).status, 200);
  assert.equal((await ck.get('/api/me')).body.user.totpEnabled, true, 'the account page can show it is on');
  assertError(assert, await rawLogin('ck_admin', demoPassword), 401, 'totp_required');
  assertError(assert, await rawLogin('ck_admin', demoPassword, { totp: '12345' }), 401, 'bad_totp');
  assert.equal((await rawLogin('ck_admin', demoPassword, { totp: totp(secret) })).status, 200);
});

test('failures from one address are rate-limited across accounts', async () => {
  const own = await startServer(db);
  try {
    const attempt = (u, p) => getJson(`${own.url}/api/login`, {
      method: 'POST', body: JSON.stringify({ username: u, password: p }),
    });
    for (let i = 0; i < 20; i++) await attempt(`nobody${i}`, 'Wrong#pass1');
    assertError(assert, await attempt('gd_viewer', demoPassword), 429, 'too_many_attempts');
  } finally {
    await own.stop();
  }
});

test('no password, token or session id appears in the server log', async () => {
  await sleep(100);
  const log = server.log();
  assert.ok(log.includes('/api/login'), 'the log is being written');
  for (const secret of secrets) {
    assert.ok(!log.includes(secret), `secret leaked into log: ${secret.slice(0, 6)}…`);
  }
  const audit = await (await asAdmin()).get('/api/audit?limit=1000');
  const text = JSON.stringify(audit.body);
  for (const secret of secrets) assert.ok(!text.includes(secret), 'secret in audit log');
});
