// The HTTP server itself: limits, malformed requests, keep-alive at scale,
// static files, graceful shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, cli, startServer, getJson, assertError, newDatabase } from './helpers.mjs';

let dir, db, server, base, web;

// Sends raw bytes and resolves with everything the server answers before closing.
function raw(port, payload, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve(data); }, timeoutMs);
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => { clearTimeout(timer); resolve(data); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.write(payload);
  });
}

before(async () => {
  dir = tempDir();
  db = newDatabase(dir.path, 't.db');
  assert.equal(cli('init', '--db', db).status, 0);
  web = join(dir.path, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>填报</title><div id="app"></div>');
  writeFileSync(join(web, 'assets', 'app-1234.js'), 'console.log("填报")');
  server = await startServer(db, ['--web', web]);
  base = server.url;
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

test('an oversize body is refused with 413', async () => {
  const big = 'x'.repeat(9 * 1024 * 1024);
  const r = await getJson(`${base}/api/orgunits`, { method: 'POST', body: big });
  assertError(assert, r, 413, 'payload_too_large');
  assert.equal((await getJson(`${base}/api/health`)).status, 200);
});

test('oversize headers are refused', async () => {
  const answer = await raw(server.port,
    `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  assert.match(answer, /^HTTP\/1\.1 413/);
  assert.match(answer, /headers_too_large/);
});

test('a malformed request line gets 400, not a crash', async () => {
  const answer = await raw(server.port, 'GARBAGE\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 400/);
  const bad = await raw(server.port, 'GET /api/health HTTP/1.1\r\nContent-Length: abc\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400/);
  assert.equal((await getJson(`${base}/api/health`)).status, 200);
});

test('invalid JSON bodies are 400 (after auth would pass)', async () => {
  // Until accounts exist the auth check answers first; either way nothing is stored.
  const r = await getJson(`${base}/api/orgunits`, { method: 'POST', body: '{"code":' });
  assert.ok([400, 401].includes(r.status));
});

test('HEAD answers headers only', async () => {
  const res = await fetch(`${base}/api/health`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  assert.ok(Number(res.headers.get('content-length')) > 0);
});

test('static files from the web root, app routes fall back to index.html', async () => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  assert.match(await index.text(), /填报/);
  const asset = await fetch(`${base}/assets/app-1234.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type'), /javascript/);
  assert.match(asset.headers.get('cache-control'), /immutable/);
  const route = await fetch(`${base}/tasks/12`);
  assert.equal(route.status, 200);
  assert.match(await route.text(), /id="app"/);
  assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
});

test('paths cannot escape the web root', async () => {
  for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
    const answer = await raw(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.doesNotMatch(answer, /root:/, path);
  }
});

test('thousands of idle keep-alive connections do not starve others', async () => {
  const count = 2000;
  const sockets = [];
  try {
    await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const s = net.connect(server.port, '127.0.0.1', () => resolve());
      s.on('error', reject);
      sockets.push(s);
    })));
    // Every idle connection still gets answered on demand …
    const probe = sockets[count - 1];
    const answer = await new Promise((resolve) => {
      let data = '';
      probe.on('data', (d) => { data += d; if (data.includes('"status":"ok"')) resolve(data); });
      probe.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    // … and new clients are served promptly meanwhile.
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => getJson(`${base}/api/health`)));
    for (const r of results) assert.equal(r.status, 200);
    assert.ok(Date.now() - started < 10000, 'requests were starved');
  } finally {
    for (const s of sockets) s.destroy();
  }
});

test('SIGTERM lets the server finish and exit 0', async () => {
  const own = await startServer(db);
  assert.equal((await getJson(`${own.url}/api/health`)).status, 200);
  const { code, signal } = await own.stop();
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.match(own.log(), /GET \/api\/health 200/, 'access log line');
});
