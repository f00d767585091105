// The tianbao command line, as scripts and operators use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir, cli, startServer, getJson } from './helpers.mjs';

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
  const db = join(dir.path, 'a.db');
  assert.equal(cli('init', '--db', db).status, 0);
  assert.equal(cli('init', '--db', `sqlite:${db}`).status, 0);
  const r = cli('divisions', '--db', db, '--province', '44');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /已载入区划 28743 个/);
  assert.match(r.stdout, /县级：122/);
  assert.match(r.stdout, /村\(居\)级：26842/);
  const again = cli('divisions', '--db', db, '--province', '44');
  assert.match(again.stdout, /新增 0，更新 28743/);
});

test('failures exit non-zero with a 中文 reason on one line', () => {
  const db = join(dir.path, 'b.db');
  const cases = [
    ['divisions', '--db', db, '--province', '4'],
    ['divisions', '--db', db, '--province', '44', '--from', join(dir.path, 'nowhere')],
    ['demo', '--db', db],  // no tree loaded yet
    ['orgunit', 'add', '--db', db, '--code', 'x', '--name', '部门', '--parent', '44'],
    ['serve', '--db', db, '--listen', 'not-an-address'],
    ['init', '--db', 'postgresql://localhost/none'],
    ['user', 'add', '--db', db],
    ['token', 'create', '--db', db],
    ['import', '--db', db, 'file.csv'],
  ];
  for (const args of cases) {
    const r = cli(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /^错误：[^\n]*[\u4e00-\u9fff][^\n]*\n$/, args.join(' '));
  }
});

test('a department added by the CLI is served by the API', async () => {
  const db = join(dir.path, 'c.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  const r = cli('orgunit', 'add', '--db', db, '--code', '4408_GAJ', '--name', '湛江市公安局',
    '--parent', '4408');
  assert.equal(r.status, 0, r.stderr);
  const dup = cli('orgunit', 'add', '--db', db, '--code', '4408_GAJ', '--name', '又一个',
    '--parent', '4408');
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /已存在/);
  const server = await startServer(db);
  try {
    const unit = await getJson(`${server.url}/api/orgunits/4408_GAJ`);
    assert.equal(unit.status, 200);
    assert.equal(unit.body.kind, 'department');
    assert.equal(unit.body.level, 2);
    assert.equal(unit.body.path, '/44/4408/4408_GAJ');
    const kids = await getJson(`${server.url}/api/orgunits/4408/children`);
    assert.equal(kids.body.orgUnits.at(-1).code, '4408_GAJ');
  } finally {
    await server.stop();
  }
});

test('demo is idempotent', () => {
  const db = join(dir.path, 'd.db');
  assert.equal(cli('divisions', '--db', db, '--province', '44').status, 0);
  assert.match(cli('demo', '--db', db).stdout, /新增部门 26 个/);
  assert.match(cli('demo', '--db', db).stdout, /新增部门 0 个/);
});
