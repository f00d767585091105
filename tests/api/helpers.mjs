// Shared helpers for the API tests: build a database with the real CLI and
// start the real `tianbao serve` on a free loopback port.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = resolve(repoRoot, process.env.TIANBAO_BIN || 'build/tianbao');

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'tianbao-api-'));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs the CLI; returns {status, stdout, stderr} without throwing.
export function cli(...args) {
  const r = spawnSync(binary, args, { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The backend under test: SQLite files by default; with TIANBAO_TEST_PG (a
// libpq URI, see scripts/pg-cluster) a fresh PostgreSQL database each time.
export const postgresUrl = process.env.TIANBAO_TEST_PG || '';
let databasesMade = 0;

// A new, empty database for one test: the file `name` in `dir` on SQLite,
// a database of its own in the TIANBAO_TEST_PG cluster on PostgreSQL.
export function newDatabase(dir, name = 'tianbao.db') {
  if (!postgresUrl) return join(dir, name);
  const database = `tianbao_api_${process.pid}_${++databasesMade}`;
  execFileSync('psql', [postgresUrl, '-qX', '-c', `CREATE DATABASE ${database}`], { stdio: 'pipe' });
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// Runs SQL on a test database behind the server's back (sqlite3 or psql);
// returns what it printed, trimmed.
export function sql(db, statement) {
  if (/^postgres(ql)?:\/\//.test(db)) {
    return execFileSync('psql', [db, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', statement],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }
  return execFileSync('sqlite3', [db, statement], { encoding: 'utf8' }).trim();
}

// A database with the Guangdong tree and the demo content.
export function demoDatabase(dir) {
  const db = newDatabase(dir);
  for (const args of [['init'], ['divisions', '--province', '44'], ['demo']]) {
    execFileSync(binary, [...args, '--db', db], { cwd: repoRoot, stdio: 'pipe' });
  }
  return db;
}

// Starts `tianbao serve` on 127.0.0.1:0 and resolves once it prints its URL.
export function startServer(db, extraArgs = []) {
  const proc = spawn(binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  return new Promise((resolveStart, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolveStart({
          url: `http://127.0.0.1:${m[1]}`,
          port: Number(m[1]),
          proc,
          exited,
          log: () => stderr,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    proc.on('exit', () => reject(new Error(`server exited early: ${stderr}`)));
  });
}

export async function getJson(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

// Asserts the shape of every error body: {error:{code,message,field}}, 中文 message.
export function assertError(assert, res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body, 'object', `not JSON: ${res.body}`);
  assert.equal(res.body.error.code, code);
  assert.match(res.body.error.message, /[\u4e00-\u9fff]/, 'message should be in 中文');
  assert.ok('field' in res.body.error);
}

export const demoPassword = 'Demo@2022';

// A signed-in browser-like client: keeps the session cookie and sends the
// CSRF token on writes, as the web app does.
export async function login(base, username, password = demoPassword, extra = {}) {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, ...extra }),
  });
  const body = await res.json();
  if (res.status !== 200) {
    const err = new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`);
    err.status = res.status;
    err.body = body;
    throw err;
  }
  return sessionClient(base, res, body);
}

export function sessionClient(base, loginResponse, loginBody) {
  const setCookie = loginResponse.headers.get('set-cookie');
  const cookie = setCookie.split(';')[0];
  const client = {
    cookie,
    csrf: loginBody.csrfToken,
    user: loginBody.user,
    mustChangePassword: loginBody.mustChangePassword,
    async request(method, path, body, headers = {}) {
      const h = { cookie: client.cookie, ...headers };
      if (method !== 'GET' && method !== 'HEAD' && client.csrf && !('x-csrf-token' in headers)) {
        h['x-csrf-token'] = client.csrf;
      }
      let payload = body;
      if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        h['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      return getJson(`${base}${path}`, { method, headers: h, body: payload });
    },
    get(path, headers) { return client.request('GET', path, undefined, headers); },
    post(path, body, headers) { return client.request('POST', path, body ?? {}, headers); },
    put(path, body, headers) { return client.request('PUT', path, body, headers); },
    del(path, headers) { return client.request('DELETE', path, undefined, headers); },
  };
  return client;
}

// A program using an API token.
export function tokenClient(base, token) {
  const request = (method, path, body) => getJson(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body),
    del: (path) => request('DELETE', path),
  };
}

// The RFC 6238 code an authenticator app would show for a base32 secret.
export function totp(secret, seconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}
