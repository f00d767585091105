// Org-unit endpoints against the real Guangdong tree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, getJson, assertError, login } from './helpers.mjs';

let dir, server, base, admin;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
  admin = await login(base, 'sysadmin');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

test('health answers without auth', async () => {
  const r = await getJson(`${base}/api/health`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.ok(r.body.schemaVersion >= 1);
  assert.equal(r.body.orgUnits, 28743 + 26);  // tree + demo departments
  assert.equal(Object.keys(r.body).sort().join(), 'orgUnits,schemaVersion,status');
});

test('the 21 cities of 广东 in code order, then 省直 departments', async () => {
  const r = await admin.get(`/api/orgunits/44/children`);
  assert.equal(r.status, 200);
  const regions = r.body.orgUnits.filter((u) => u.kind === 'region');
  const departments = r.body.orgUnits.filter((u) => u.kind === 'department');
  assert.equal(regions.length, 21);
  assert.deepEqual(regions.map((u) => u.code), [...regions.map((u) => u.code)].sort());
  assert.equal(regions[0].name, '广州市');
  assert.equal(regions[7].name, '湛江市');
  for (const u of regions) {
    assert.equal(u.level, 2);
    assert.equal(u.parent, '44');
    assert.match(u.name, /市$/);
  }
  assert.ok(departments.some((d) => d.name === '广东省政务服务数据管理局'));
  // Regions come first: every department is after every city.
  assert.deepEqual(r.body.orgUnits.slice(0, 21), regions);
});

test('湛江市 shows level 2 and its child count', async () => {
  const r = await admin.get(`/api/orgunits/4408`);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, '湛江市');
  assert.equal(r.body.level, 2);
  assert.equal(r.body.levelName, '市');
  assert.equal(r.body.kind, 'region');
  assert.equal(r.body.parent, '44');
  assert.equal(r.body.path, '/44/4408');
  const kids = await admin.get(`/api/orgunits/4408/children`);
  assert.equal(r.body.childCount, kids.body.orgUnits.length);
  assert.equal(kids.body.orgUnits.filter((u) => u.level === 3).length, 9);  // 湛江's 9 counties
});

test('search q=赤坎 finds 赤坎区 first', async () => {
  const r = await admin.get(`/api/orgunits?q=${encodeURIComponent('赤坎')}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.orgUnits[0].code, '440802');
  assert.equal(r.body.orgUnits[0].name, '赤坎区');
  assert.ok(r.body.pager.total >= 1);
  for (const u of r.body.orgUnits) assert.ok(u.name.includes('赤坎') || u.code.startsWith('赤坎'));
});

test('search by level and parent, with paging', async () => {
  const towns = await admin.get(`/api/orgunits?level=4&parent=4408&pageSize=1000`);
  assert.equal(towns.status, 200);
  assert.ok(towns.body.pager.total > 50);
  assert.equal(towns.body.orgUnits.length, towns.body.pager.total);
  for (const u of towns.body.orgUnits) {
    assert.equal(u.level, 4);
    assert.ok(u.path.startsWith('/44/4408/'));
  }
  const p1 = await admin.get(`/api/orgunits?level=2&pageSize=5&page=1`);
  const p2 = await admin.get(`/api/orgunits?level=2&pageSize=5&page=2`);
  // Departments carry their region's level: 21 cities and 21 demo 市政数局.
  assert.equal(p1.body.pager.total, 21 + 21);
  assert.equal(p1.body.orgUnits.length, 5);
  assert.notEqual(p1.body.orgUnits[0].code, p2.body.orgUnits[0].code);
});

test('东莞 and 中山 have no fake county: towns hang under the city', async () => {
  for (const [city, towns] of [['4419', 36], ['4420', 23]]) {
    const r = await admin.get(`/api/orgunits/${city}/children`);
    const regions = r.body.orgUnits.filter((u) => u.kind === 'region');
    assert.equal(regions.length, towns);
    for (const u of regions) assert.equal(u.level, 4);
  }
  assertError(assert, await admin.get(`/api/orgunits/441900`), 404, 'unknown_org_unit');
  const counties = await admin.get(`/api/orgunits?level=3&pageSize=1000`);
  assert.equal(counties.body.pager.total, 122);
  assert.ok(!counties.body.orgUnits.some((u) => u.name === '东莞市' || u.name === '中山市'));
});

test('counts by level match the real tree', async () => {
  // [level, regions, demo departments at that level]
  const expected = [[1, 1, 5], [2, 21, 21], [3, 122, 0], [4, 1757, 0], [5, 26842, 0]];
  for (const [level, regions, departments] of expected) {
    const r = await admin.get(`/api/orgunits?level=${level}&pageSize=1`);
    assert.equal(r.body.pager.total, regions + departments, `level ${level}`);
  }
});

test('unknown codes and endpoints are JSON 404s', async () => {
  assertError(assert, await admin.get(`/api/orgunits/9999`), 404, 'unknown_org_unit');
  assertError(assert, await admin.get(`/api/orgunits/9999/children`), 404, 'unknown_org_unit');
  assertError(assert, await getJson(`${base}/api/nothing`), 404, 'no_such_endpoint');
  assertError(assert, await admin.get(`/api/orgunits?parent=0000`), 404, 'unknown_org_unit');
});

test('bad query parameters are 400 with the field named', async () => {
  const cases = [
    ['level=9', 'level'], ['level=abc', 'level'], ['level=2.0', 'level'],
    ['pageSize=0', 'pageSize'], ['pageSize=100000', 'pageSize'], ['page=-1', 'page'],
    [`q=${'x'.repeat(60)}`, 'q'],
  ];
  for (const [query, field] of cases) {
    const r = await admin.get(`/api/orgunits?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.body.error.field, field, query);
  }
});

test('broken UTF-8 and bad escapes in the URL are refused', async () => {
  assertError(assert, await admin.get(`/api/orgunits?q=%E8%B5`), 400, 'invalid_utf8');
  assertError(assert, await admin.get(`/api/orgunits?q=%C0%AF`), 400, 'invalid_utf8');
  assertError(assert, await admin.get(`/api/orgunits/%zz`), 400, 'bad_escape');
  assertError(assert, await admin.get(`/api/orgunits/44%00`), 400, 'bad_escape');
});

test('SQL in a search is just text', async () => {
  const r = await admin.get(`/api/orgunits?q=${encodeURIComponent("' OR 1=1; --")}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.pager.total, 0);
  assert.equal((await getJson(`${base}/api/health`)).body.orgUnits, 28743 + 26);
});

test('adding a department needs an administrator over the parent', async () => {
  const dept = { code: '4408_GAJ', name: '湛江市公安局', kind: 'department', parent: '4408' };
  const anonymous = await getJson(`${base}/api/orgunits`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dept),
  });
  assertError(assert, anonymous, 401, 'unauthenticated');
  const filler = await login(base, 'zj_filler');
  assertError(assert, await filler.post('/api/orgunits', dept), 403, 'permission_denied');
  const cityAdmin = await login(base, 'zj_admin');
  assertError(assert, await cityAdmin.post('/api/orgunits', { ...dept, parent: '4404' }), 404, 'unknown_org_unit');
  assertError(assert, await admin.get(`/api/orgunits/4408_GAJ`), 404, 'unknown_org_unit');
  const created = await cityAdmin.post('/api/orgunits', dept);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.headers.get('location'), '/api/orgunits/4408_GAJ');
  assert.equal(created.body.kind, 'department');
  assert.equal(created.body.level, 2);
  assertError(assert, await cityAdmin.post('/api/orgunits', dept), 409, 'already_exists');
  assertError(assert, await cityAdmin.post('/api/orgunits', { ...dept, code: '4408_GAJ2', kind: 'region' }), 400, 'invalid_kind');
  assertError(assert, await cityAdmin.post('/api/orgunits', { ...dept, code: 'bad code' }), 400, 'invalid_code');
  assertError(assert, await cityAdmin.post('/api/orgunits', { ...dept, code: '4408_X', name: 42 }), 400, 'invalid_type');
  assertError(assert, await cityAdmin.post('/api/orgunits', '{"code":'), 400, 'invalid_json');
});

test('wrong method is 405', async () => {
  assertError(assert, await getJson(`${base}/api/orgunits/44`, { method: 'DELETE' }), 405, 'method_not_allowed');
});
