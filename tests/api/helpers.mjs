// Shared helpers for the API tests: build a database with the real CLI and
// start the real `tianbao serve` on a free loopback port.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
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

// A database with the Guangdong tree and the demo content.
export function demoDatabase(dir) {
  const db = join(dir, 'tianbao.db');
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
