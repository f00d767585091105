// Scheduled 催报 before the deadline, and notices forwarded to a webhook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { tempDir, demoDatabase, startServer, login } from './helpers.mjs';

let dir, db, server, hook, received;

before(async () => {
  dir = tempDir();
  received = [];
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  // The demo's open tasks are due in 14 days: reminding 30 days ahead fires at start.
  db = demoDatabase(dir.path);
  server = await startServer(db, [
    '--remind-days-before', '30', '--webhook', `http://127.0.0.1:${hook.address().port}/notify`,
  ]);
});

after(async () => {
  await server?.stop();
  hook?.close();
  dir?.remove();
});

async function waitFor(predicate, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('units that have not submitted are reminded before the deadline', async () => {
  const cun = await login(server.url, 'cun_filler');
  const notices = (await cun.get('/api/notices')).body.notices;
  assert.ok(notices.some((n) => n.kind === 'remind' && n.message.includes('截止')), JSON.stringify(notices));
  assert.ok(await waitFor(() => received.length > 0), 'webhook called');
  const all = received.flatMap((r) => r.body.notices);
  assert.ok(all.some((n) => n.orgUnit === '440802001001' && n.kind === 'remind'));
  assert.equal(received[0].path, '/notify');
  assert.match(received[0].type, /application\/json/);
});

test('a manual 催报 is forwarded too, and scheduled reminders are sent once', async () => {
  const before = received.length;
  const ck = await login(server.url, 'ck_admin');
  const tasks = (await ck.get('/api/tasks')).body.tasks;
  const village = tasks.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09');
  const r = await ck.post(`/api/tasks/${village.id}/remind`, { message: '请今天下班前报送' });
  assert.equal(r.status, 200);
  assert.ok(r.body.reminded > 0);
  assert.ok(await waitFor(() => received.length > before));
  assert.ok(received.at(-1).body.notices.every((n) => n.message === '请今天下班前报送'));
  const cun = await login(server.url, 'cun_filler');
  assert.equal((await cun.get('/api/notices')).body.notices.length, 2);
  // A restart does not remind again for the same tasks.
  await server.stop();
  server = await startServer(db, ['--remind-days-before', '30']);
  const again = await login(server.url, 'cun_filler');
  assert.equal((await again.get('/api/notices')).body.notices.length, 2);
});
