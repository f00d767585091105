// GET /api/analytics over the demo data: totals, derived rates, measures,
// scope, exports, and a value written through the API showing up at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError } from './helpers.mjs';

let dir, server, base, viewer;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
  viewer = await login(base, 'gd_viewer');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const q = (params) => viewer.get(`/api/analytics?${params}`);

function table(body) {
  const names = body.headers.map((h) => h.name);
  return body.rows.map((r) => Object.fromEntries(r.map((v, i) => [names[i], v])));
}

test('the 21 cities in one query, with ranks and the 省直 row', async () => {
  const r = await q('dimension=dx:YSS_SERVICES&dimension=ou:44;CHILDREN&filter=pe:2022-08&measure=value,rank&includeOwnDepartments=true');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const rows = table(r.body);
  const cities = rows.filter((x) => x.ou.length === 4);
  assert.equal(cities.length, 21);
  const direct = rows.find((x) => x.ou === '44:DIRECT');
  assert.ok(direct, 'the 省直 row');
  assert.equal(r.body.metaData.items['44:DIRECT'].name, '广东省直属');
  assert.equal(r.body.metaData.items['4401'].name, '广州市');
  const total = await q('dimension=dx:YSS_SERVICES&filter=ou:44&filter=pe:2022-08');
  const province = Number(total.body.rows[0][1]);
  const sum = cities.reduce((a, x) => a + Number(x.value), 0) + Number(direct.value);
  assert.equal(province, sum, 'province = cities + 省直');
  assert.ok(province > cities.reduce((a, x) => a + Number(x.value), 0));
  assert.equal(cities.find((x) => x.rank === '1').ou, '4401');
});

test('derived rates are ratios of sums; stocks over a quarter take the last month', async () => {
  const parts = table((await q('dimension=dx:YZY_DAU;YZY_OPENED&dimension=ou:44;CHILDREN&filter=pe:2022-08')).body);
  const dau = parts.filter((x) => x.dx === 'YZY_DAU').reduce((a, x) => a + Number(x.value), 0);
  const opened = parts.filter((x) => x.dx === 'YZY_OPENED').reduce((a, x) => a + Number(x.value), 0);
  const rate = Number((await q('dimension=dx:YZY_DAU_RATE&filter=ou:44&filter=pe:2022-08')).body.rows[0][1]);
  assert.ok(Math.abs(rate - (dau / opened) * 100) < 0.001, `${rate} vs ${(dau / opened) * 100}`);
  const quarter = table((await q('dimension=dx:YSS_REG_USERS;HOTLINE_CALLS&filter=ou:4408&dimension=pe:2022Q2;2022-04;2022-05;2022-06')).body);
  const v = (dx, pe) => Number(quarter.find((x) => x.dx === dx && x.pe === pe).value);
  assert.equal(v('YSS_REG_USERS', '2022Q2'), v('YSS_REG_USERS', '2022-06'));
  assert.ok(Math.abs(v('HOTLINE_CALLS', '2022Q2') - (v('HOTLINE_CALLS', '2022-04') + v('HOTLINE_CALLS', '2022-05') + v('HOTLINE_CALLS', '2022-06'))) < 0.001);
});

test('本月新增, 环比 and relative periods', async () => {
  const r = table((await q('dimension=dx:YSS_REG_USERS&filter=ou:4408&dimension=pe:2022-07;2022-08&measure=value,new,mom')).body);
  const jul = r.find((x) => x.pe === '2022-07');
  const aug = r.find((x) => x.pe === '2022-08');
  assert.ok(Math.abs(Number(aug.new) - (Number(aug.value) - Number(jul.value))) < 0.001);
  assert.ok(Math.abs(Number(aug.mom) - ((Number(aug.value) - Number(jul.value)) / Number(jul.value)) * 100) < 0.001);
  const last12 = await q('dimension=dx:HOTLINE_CALLS&filter=ou:44&dimension=pe:LAST_12_MONTHS');
  assert.equal(last12.status, 200);
  assert.equal(last12.body.metaData.dimensions.pe.length, 12);
});

test('a value saved through the API is in the very next analytics response', async () => {
  const zj = await login(base, 'zj_filler');
  const task = (await zj.get('/api/tasks')).body.tasks.find((t) => t.form === 'CITY_MONTHLY' && t.period === '2022-09');
  // A few cities have reported 2022-09 already (the demo's open month); 湛江 has not.
  const total = async () => Number((await q('dimension=dx:YSS_REG_USERS&filter=ou:44&filter=pe:2022-09')).body.rows[0]?.[1] ?? 0);
  const before = await total();
  assert.equal((await q('dimension=dx:YSS_REG_USERS&filter=ou:4408&filter=pe:2022-09')).body.rows.length, 0);
  const e = await zj.get(`/api/tasks/${task.id}/entries/4408`);
  const saved = await zj.put(`/api/tasks/${task.id}/entries/4408`, { version: e.body.version, values: { YSS_REG_USERS: 777.7 } });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.ok(Math.abs(await total() - (before + 777.7)) < 1e-6);
  assert.equal((await q('dimension=dx:YSS_REG_USERS&filter=ou:4408&filter=pe:2022-09')).body.rows[0][1], '777.7');
  const next = await zj.put(`/api/tasks/${task.id}/entries/4408`, { version: saved.body.version, values: { YSS_REG_USERS: null } });
  assert.equal(next.status, 200);
  assert.ok(Math.abs(await total() - before) < 1e-6);
  assert.equal((await q('dimension=dx:YSS_REG_USERS&filter=ou:4408&filter=pe:2022-09')).body.rows.length, 0);
});

test('CSV and XLSX of the same table', async () => {
  const params = 'dimension=dx:YSS_REG_USERS&dimension=ou:44;CHILDREN&filter=pe:2022-08';
  const csv = await fetch(`${base}/api/analytics.csv?${params}`, { headers: { cookie: viewer.cookie } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const text = await csv.text();
  assert.match(text, /广州市/);
  assert.equal(text.trim().split('\r\n').length, 22);
  const viaAccept = await fetch(`${base}/api/analytics?${params}`, { headers: { cookie: viewer.cookie, accept: 'text/csv' } });
  assert.equal(await viaAccept.text(), text);
  const xlsx = await fetch(`${base}/api/analytics.xlsx?${params}`, { headers: { cookie: viewer.cookie } });
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
  assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK');
});

test('bad requests, roles and scope', async () => {
  assertError(assert, await q('dimension=dx:NOPE&filter=pe:2022-08'), 404, 'unknown_indicator');
  assertError(assert, await q('dimension=dx:YSS_REG_USERS&filter=pe:2022-13'), 400, 'invalid_period');
  assertError(assert, await q('dimension=xx:1&filter=pe:2022-08'), 400, 'invalid_dimension');
  assertError(assert, await q('dimension=dx:YSS_REG_USERS&filter=pe:2022-08&measure=median'), 400, 'invalid_measure');
  assertError(assert, await q('dimension=dx:YSS_REG_USERS'), 400, 'required');
  assertError(assert, await q('dimension=dx:YSS_REG_USERS&dimension=ou:LEVEL-9&filter=pe:2022-08'), 400, 'invalid_level');
  const filler = await login(base, 'zj_filler');
  assertError(assert, await filler.get('/api/analytics?dimension=dx:YSS_REG_USERS&filter=pe:2022-08'), 403, 'permission_denied');
  const zj = await login(base, 'zj_viewer');
  assertError(assert, await zj.get('/api/analytics?dimension=dx:YSS_REG_USERS&dimension=ou:4404&filter=pe:2022-08'), 404, 'unknown_org_unit');
  const own = await zj.get('/api/analytics?dimension=dx:ZW_CASES&dimension=ou:LEVEL-4&filter=pe:2022-08');
  assert.equal(own.status, 200);
  assert.ok(own.body.rows.length > 100);
  for (const [, ou] of own.body.rows) assert.ok(ou.startsWith('4408'), ou);
  const fromProvince = await q('dimension=dx:ZW_CASES&filter=ou:44&filter=pe:2022-08');
  const zjTotal = await zj.get('/api/analytics?dimension=dx:ZW_CASES&filter=ou:USER_ORGUNIT&filter=pe:2022-08');
  assert.equal(fromProvince.body.rows[0][1], zjTotal.body.rows[0][1], '湛江 towns are the only ones with ZW_CASES');
});

test('names with quotes and backslashes stay valid JSON', async () => {
  const admin = await login(base, 'gd_admin');
  const name = '测试"引号"\\反斜杠';
  const created = await admin.post('/api/orgunits', { code: 'JSON_ESCAPE_DEPT', name, kind: 'department', parent: '44' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const res = await admin.get('/api/analytics?dimension=dx:YSS_REG_USERS&dimension=ou:JSON_ESCAPE_DEPT&filter=pe:2022-08');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.metaData.items.JSON_ESCAPE_DEPT.name, name);
  // Names are escaped eight bytes at a time: quotes just past a whole word,
  // at the very end, and a word with a backslash in its last byte.
  const longer = 'ABCDEFGH"IJKLMNO\\广东"';
  const other = await admin.post('/api/orgunits', { code: 'JSON_ESCAPE_DEPT2', name: longer, kind: 'department', parent: '44' });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  const both = await admin.get('/api/analytics?dimension=dx:YSS_REG_USERS&dimension=ou:JSON_ESCAPE_DEPT;JSON_ESCAPE_DEPT2&filter=pe:2022-08');
  assert.equal(both.status, 200, JSON.stringify(both.body));
  assert.equal(both.body.metaData.items.JSON_ESCAPE_DEPT2.name, longer);
  assert.deepEqual(both.body.metaData.dimensions.ou, ['JSON_ESCAPE_DEPT', 'JSON_ESCAPE_DEPT2']);
});
