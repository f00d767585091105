// The tianbao command line, as scripts and operators use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, cli, startServer, getJson, binary, repoRoot, login, tokenClient, demoPassword, newDatabase, sql, postgresUrl } from './helpers.mjs';

function cliWithInput(input, ...args) {
  const r = spawnSync(binary, args, { encoding: 'utf8', cwd: repoRoot, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir;
before(() => { dir = tempDir(); });
after(() => dir?.remove());

const commands = [
  ['init'], ['divisions'], ['demo'], ['serve'], ['user', 'add'], ['token', 'create'],
  ['import'], ['orgunit', 'add'], ['bulletin', 'render'], ['audit', 'verify'],
];

test('--help works for every command', () => {
  for (const cmd of [[], ...commands]) {
    const r = cli(...cmd, '--help');
    assert.equal(r.status, 0, cmd.join(' '));
    assert.match(r.stdout, /--help/, cmd.join(' '));
  }
});

test('init is idempotent and divisions loads counts by level', () => {
  const db = newDatabase(dir.path, 'a.db');
  assert.equal(cli('init', '--db', db).status, 0);
  if (!postgresUrl) assert.equal(cli('init', '--db', `sqlite:${db}`).status, 0);
  const r = cli('divisions', '--db', db, '--province', '44');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /已载入区划 28743 个/);
  assert.match(r.stdout, /县级：122/);
  assert.match(r.stdout, /村\(居\)级：26842/);
  const again = cli('divisions', '--db', db, '--province', '44');
  assert.match(again.stdout, /新增 0，更新 28743/);
});

test('failures exit non-zero with a 中文 reason on one line', () => {
  const db = newDatabase(dir.path, 'b.db');
  const cases = [
    ['divisions', '--db', db, '--province', '4'],
    ['divisions', '--db', db, '--province', '44', '--from', join(dir.path, 'nowhere')],
    ['demo', '--db', db],  // no tree loaded yet
    ['orgunit', 'add', '--db', db, '--code', 'x', '--name', '部门', '--parent', '44'],
    ['serve', '--db', db, '--listen', 'not-an-address'],
    ['init', '--db', 'postgresql://localhost/none'],
    ['user', 'add', '--db', db],
    ['user', 'add', '--db', db, '--username', 'x1', '--org', '44', '--role', 'filler', '--password-stdin'],
    ['token', 'create', '--db', db, '--username', 'nobody'],
    ['import', '--db', db, 'file.csv'],
    ['divisions', '--db', db],
  ];
  for (const args of cases) {
    const r = cli(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /^错误：[^\n]*[\u4e00-\u9fff][^\n]*\n$/, args.join(' '));
  }
});

test('a department added by the CLI is served by the API', async () => {
  const db = newDatabase(dir.path, 'c.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  const r = cli('orgunit', 'add', '--db', db, '--code', '4408_GAJ', '--name', '湛江市公安局',
    '--parent', '4408');
  assert.equal(r.status, 0, r.stderr);
  const dup = cli('orgunit', 'add', '--db', db, '--code', '4408_GAJ', '--name', '又一个',
    '--parent', '4408');
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /已存在/);
  assert.equal(cliWithInput('Admin#2026x\n', 'init', '--db', db, '--admin-password-stdin').status, 0);
  const server = await startServer(db);
  try {
    const admin = await login(server.url, 'admin', 'Admin#2026x');
    const unit = await admin.get('/api/orgunits/4408_GAJ');
    assert.equal(unit.status, 200);
    assert.equal(unit.body.kind, 'department');
    assert.equal(unit.body.level, 2);
    assert.equal(unit.body.path, '/44/4408/4408_GAJ');
    const kids = await admin.get('/api/orgunits/4408/children');
    assert.equal(kids.body.orgUnits.at(-1).code, '4408_GAJ');
  } finally {
    await server.stop();
  }
});

test('demo is idempotent', () => {
  const db = newDatabase(dir.path, 'd.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  assert.match(cli('demo', '--db', db).stdout, /新增部门 26 个/);
  assert.match(cli('demo', '--db', db).stdout, /新增部门 0 个/);
});

test('init creates an admin with a generated password, or the one given on stdin', async () => {
  const db = newDatabase(dir.path, 'e.db');
  const first = cli('init', '--db', db);
  assert.equal(first.status, 0, first.stderr);
  const m = first.stdout.match(/初始密码：(\S+)（/);
  assert.ok(m, first.stdout);
  assert.doesNotMatch(cli('init', '--db', db).stdout, /初始密码/);  // not regenerated
  const weak = cliWithInput('123\n', 'init', '--db', db, '--admin-password-stdin');
  assert.notEqual(weak.status, 0);
  assert.match(weak.stderr, /密码/);
  const set = cliWithInput('Admin#2026x\n', 'init', '--db', db, '--admin-password-stdin');
  assert.equal(set.status, 0, set.stderr);
  const server = await startServer(db);
  try {
    await assert.rejects(login(server.url, 'admin', m[1]), /401/);
    const admin = await login(server.url, 'admin', 'Admin#2026x');
    assert.equal(admin.mustChangePassword, false);
    assert.deepEqual(admin.user.roles, ['sysadmin']);
  } finally {
    await server.stop();
  }
});

test('user add reads the password from stdin; token create prints a working token', async () => {
  const db = newDatabase(dir.path, 'f.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  const add = cliWithInput('Zhanjiang#01\n', 'user', 'add', '--db', db, '--username', 'zj_ops',
    '--org', '4408', '--role', 'admin', '--name', '湛江运维', '--password-stdin');
  assert.equal(add.status, 0, add.stderr);
  assert.doesNotMatch(add.stdout + add.stderr, /Zhanjiang#01/);
  const dup = cliWithInput('Zhanjiang#01\n', 'user', 'add', '--db', db, '--username', 'zj_ops',
    '--org', '4408', '--role', 'admin', '--password-stdin');
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /已被使用/);
  const badRole = cliWithInput('Zhanjiang#01\n', 'user', 'add', '--db', db, '--username', 'zj_x',
    '--org', '4408', '--role', 'boss', '--password-stdin');
  assert.notEqual(badRole.status, 0);
  assert.match(badRole.stderr, /角色/);
  const tok = cli('token', 'create', '--db', db, '--username', 'zj_ops', '--name', '统计局对接');
  assert.equal(tok.status, 0, tok.stderr);
  const token = tok.stdout.trim();
  assert.match(token, /^tb_[0-9a-f]{64}$/);
  const server = await startServer(db);
  try {
    // The new user must change the password before anything else …
    const user = await login(server.url, 'zj_ops', 'Zhanjiang#01');
    assert.equal(user.mustChangePassword, true);
    // … but the token works for its owner's scope right away.
    const api = tokenClient(server.url, token);
    assert.equal((await api.get('/api/orgunits/4408')).status, 200);
    assert.equal((await api.get('/api/orgunits/4404')).status, 404);
  } finally {
    await server.stop();
  }
});

test('audit verify passes on an untouched log and names the first edited record', () => {
  const db = newDatabase(dir.path, 'g.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  assert.equal(cli('demo', '--db', db).status, 0);
  const ok = cli('audit', 'verify', '--db', db);
  assert.equal(ok.status, 0, ok.stderr);
  const count = Number(ok.stdout.match(/共 (\d+) 条记录/)[1]);
  assert.ok(count > 20);
  // Someone with database access edits record 7 (dropping the guard first).
  sql(db, postgresUrl
    ? "DROP TRIGGER audit_log_no_change ON audit_log; UPDATE audit_log SET detail = '篡改' WHERE id = 7;"
    : "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '篡改' WHERE id = 7;");
  const broken = cli('audit', 'verify', '--db', db);
  assert.notEqual(broken.status, 0);
  assert.match(broken.stderr, /第 7 条记录/);
});

test('the audit log refuses edits through SQL while its guard is in place', () => {
  const db = newDatabase(dir.path, 'h.db');
  assert.equal(cli('init', '--db', db).status, 0);
  assert.throws(() => sql(db, 'DELETE FROM audit_log;'), (e) => /append-only/.test(e.stderr));
});
