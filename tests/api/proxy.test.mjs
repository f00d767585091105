// Behind nginx: X-Forwarded-For names the client only when the request comes
// from a proxy given with --trusted-proxy; from anyone else the header is
// ignored, so a client cannot choose the address the audit log records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, getJson, login } from './helpers.mjs';

let dir, behindProxy, direct;

before(async () => {
  dir = tempDir();
  const db = demoDatabase(dir.path);
  behindProxy = await startServer(db, ['--trusted-proxy', '127.0.0.1']);
  direct = await startServer(db);
});

after(async () => {
  await behindProxy?.stop();
  await direct?.stop();
  dir?.remove();
});

async function failLogin(base, username, forwardedFor) {
  const res = await getJson(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username, password: 'Wrong#pass1' }),
  });
  assert.equal(res.status, 401);
}

async function lastLoginRemote(base, username) {
  const admin = await login(base, 'sysadmin');
  const audit = await admin.get(`/api/audit?user=${username}&action=login&limit=1`);
  assert.equal(audit.status, 200);
  assert.equal(audit.body.records.length, 1);
  return audit.body.records[0].remote;
}

test('a trusted proxy\'s X-Forwarded-For is the address the audit log records', async () => {
  await failLogin(behindProxy.url, 'zj_viewer', '198.51.100.7, 203.0.113.9');
  assert.equal(await lastLoginRemote(behindProxy.url, 'zj_viewer'), '203.0.113.9');
});

test('an IPv6 client named by the proxy is recorded whole, not cut at its last colon', async () => {
  await failLogin(behindProxy.url, 'ck_viewer', '2001:db8::42');
  assert.equal(await lastLoginRemote(behindProxy.url, 'ck_viewer'), '2001:db8::42');
});

test('without --trusted-proxy a forged X-Forwarded-For is ignored', async () => {
  await failLogin(direct.url, 'zh_viewer', '203.0.113.9');
  assert.equal(await lastLoginRemote(direct.url, 'zh_viewer'), '127.0.0.1');
});
