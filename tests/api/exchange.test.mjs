// Bulk data values: POST/GET /api/dataValueSets in JSON and CSV, import
// strategies, dryRun, atomic, conflicts by row, round trip, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, demoDatabase, startServer, login, getJson, cli, assertError } from './helpers.mjs';

let dir, db, server, base, city;
const ZH = '440802001';   // 中华街道, a town of 湛江
const CJ = '440802002';   // 寸金街道

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  server = await startServer(db);
  base = server.url;
  city = await login(base, 'zj_admin');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const post = (client, body, query = '', type = 'application/json') =>
  client.request('POST', `/api/dataValueSets${query}`, typeof body === 'string' ? body : JSON.stringify(body),
    { 'content-type': type });
const exported = async (query) => (await city.get(`/api/dataValueSets?${query}`)).body.dataValues;

test('good rows are imported, bad rows are reported by row with the reason', async () => {
  const r = await post(city, { dataValues: [
    { dataElement: 'ZW_CASES', period: '2022-10', orgUnit: ZH, value: 1200 },
    { dataElement: 'ZW_ONLINE_CASES', period: '2022-10', orgUnit: ZH, value: '1,100' },
    { dataElement: 'ZW_CASES', period: '2022-10', orgUnit: CJ, value: '5.0万' },
    { dataElement: 'NOPE', period: '2022-10', orgUnit: ZH, value: 1 },
    { dataElement: 'ZW_CASES', period: '2022-13', orgUnit: ZH, value: 1 },
    { dataElement: 'ZW_CASES', period: '2022-10', orgUnit: '440403103', value: 1 },
    { dataElement: 'ZW_ONLINE_RATE', period: '2022-10', orgUnit: ZH, value: 50 },
    { dataElement: 'YSS_REG_USERS', period: '2022-08', orgUnit: '4408', value: 1 },
    { period: '2022-10', orgUnit: ZH, value: 1 },
  ] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'WARNING');
  assert.deepEqual(r.body.importCount, { imported: 2, updated: 0, ignored: 7, deleted: 0 });
  const byRow = Object.fromEntries(r.body.conflicts.map((c) => [c.object.match(/第 (\d+) 行/)[1], c.value]));
  assert.match(byRow[3], /50000/);               // unit slip, with what was meant
  assert.match(byRow[4], /NOPE.*不存在/);
  assert.match(byRow[5], /2022-13/);
  assert.match(byRow[6], /不存在或不在/);          // 珠海's town: out of scope
  assert.match(byRow[7], /计算指标/);
  assert.match(byRow[8], /（任务 \d+），该表已审核/);  // 2022-08 is approved
  assert.match(byRow[9], /dataElement/);
  const values = await exported(`dataElement=ZW_CASES;ZW_ONLINE_CASES&orgUnit=${ZH}&period=2022-10`);
  assert.deepEqual(values.map((v) => [v.dataElement, v.value]).sort(), [['ZW_CASES', '1200'], ['ZW_ONLINE_CASES', '1100']]);
  const analytics = await city.get(`/api/analytics?dimension=dx:ZW_CASES&filter=ou:${ZH}&filter=pe:2022-10`);
  assert.equal(analytics.body.rows[0][1], '1200', 'imported values are in analytics at once');
});

test('dryRun reports the counts and keeps nothing', async () => {
  const r = await post(city, { dataValues: [
    { dataElement: 'ZW_CASES', period: '2022-11', orgUnit: ZH, value: 10 },
    { dataElement: 'ZW_CASES', period: '2022-10', orgUnit: ZH, value: 1300 },
  ] }, '?dryRun=true');
  assert.deepEqual(r.body.importCount, { imported: 1, updated: 1, ignored: 0, deleted: 0 });
  assert.equal((await exported(`dataElement=ZW_CASES&orgUnit=${ZH}&period=2022-11`)).length, 0);
  assert.equal((await exported(`dataElement=ZW_CASES&orgUnit=${ZH}&period=2022-10`))[0].value, '1200');
});

test('atomic: one bad row and nothing is imported', async () => {
  const rows = [
    { dataElement: 'ZW_CASES', period: '2022-12', orgUnit: ZH, value: 10 },
    { dataElement: 'ZW_CASES', period: '2022-12', orgUnit: CJ, value: 'abc' },
  ];
  const bad = await post(city, { dataValues: rows }, '?atomic=true');
  assert.equal(bad.body.status, 'ERROR');
  assert.equal(bad.body.conflicts.length, 1);
  assert.equal((await exported('dataElement=ZW_CASES&period=2022-12&orgUnit=4408&children=true')).length, 0);
  const good = await post(city, { dataValues: [rows[0]] }, '?atomic=true');
  assert.equal(good.body.status, 'SUCCESS');
  assert.equal(good.body.importCount.imported, 1);
});

test('CSV with DHIS2 columns, and the import strategies', async () => {
  const csv = [
    'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,timestamp,comment,followup',
    `ZW_CASES,2023-01,${ZH},,,500,x,,,false`,
    `ZW_CASES,2023-01,${CJ},,,"1,200",x,,,false`,
  ].join('\r\n');
  const r = await post(city, csv, '', 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.importCount, { imported: 2, updated: 0, ignored: 0, deleted: 0 });
  const create = await post(city, `dataelement,period,orgunit,value\nZW_CASES,2023-01,${ZH},501\nZW_CASES,2023-02,${ZH},7\n`, '?importStrategy=CREATE', 'text/csv');
  assert.deepEqual(create.body.importCount, { imported: 1, updated: 0, ignored: 1, deleted: 0 });
  const update = await post(city, `dataelement,period,orgunit,value\nZW_CASES,2023-01,${ZH},502\nZW_CASES,2023-03,${ZH},7\n`, '?importStrategy=UPDATE', 'text/csv');
  assert.deepEqual(update.body.importCount, { imported: 0, updated: 1, ignored: 1, deleted: 0 });
  const del = await post(city, `dataelement,period,orgunit,value\nZW_CASES,2023-02,${ZH},\n`, '?importStrategy=DELETE', 'text/csv');
  assert.deepEqual(del.body.importCount, { imported: 0, updated: 0, ignored: 0, deleted: 1 });
  const values = await exported(`dataElement=ZW_CASES&orgUnit=${ZH}&period=2023-01;2023-02;2023-03`);
  assert.deepEqual(values.map((v) => [v.period, v.value]), [['2023-01', '502']]);
  const history = await city.get(`/api/dataValues/history?dataElement=ZW_CASES&orgUnit=${ZH}&period=2023-01`);
  assert.deepEqual(history.body.history.map((h) => [h.previousValue, h.value, h.channel]),
    [[null, '500', 'import'], ['500', '502', 'import']]);
});

test('malformed input gives a clear 400, never a crash', async () => {
  assertError(assert, await post(city, '{"dataValues":', ''), 400, 'invalid_json');
  assertError(assert, await post(city, { values: [] }), 400, 'invalid_json');
  assertError(assert, await post(city, 'a,b\n1,2\n', '', 'text/csv'), 400, 'csv_header');
  assertError(assert, await post(city, 'dataelement,period,orgunit,value\n"ZW_CASES,2023-01', '', 'text/csv'), 400, 'csv_unclosed_quote');
  assertError(assert, await post(city, { dataValues: [] }, '?importStrategy=MERGE'), 400, 'invalid_strategy');
  // A value nested a million arrays deep (2 MB) once overflowed the server's stack.
  const deep = `{"dataValues":[{"dataElement":"ZW_CASES","period":"2022-08","orgUnit":"${ZH}",` +
    `"value":${'['.repeat(1e6)}${']'.repeat(1e6)}}]}`;
  assertError(assert, await post(city, deep), 400, 'invalid_json');
  assertError(assert, await post(city, `dataelement,period,orgunit,value\n${','.repeat(5000)}\n`, '', 'text/csv'),
    400, 'csv_too_many_fields');
  const nested = await post(city, { dataValues: [5, null, { dataElement: { x: 1 } }] });
  assert.equal(nested.status, 200);
  assert.equal(nested.body.importCount.ignored, 3);
});

test('a filler imports only for their own unit', async () => {
  const filler = await login(base, 'zh_filler');
  const r = await post(filler, { dataValues: [
    { dataElement: 'ZW_CASES', period: '2023-04', orgUnit: ZH, value: 1 },
    { dataElement: 'ZW_CASES', period: '2023-04', orgUnit: CJ, value: 1 },
  ] });
  assert.equal(r.body.importCount.imported, 1);
  assert.match(r.body.conflicts[0].value, /不存在或不在|只能导入本单位/);
  const viewer = await login(base, 'zj_viewer');
  assertError(assert, await post(viewer, { dataValues: [] }), 403, 'permission_denied');
});

test('export then import gives back the same values', async () => {
  // Months the villages reported by import: from 2022-06 on their figures
  // are under approved entries, which no import may change.
  const query = 'dataElement=VIL_AGENT_CASES;VIL_YZZ_USES&orgUnit=440802001&children=true&period=2022-01..2022-05';
  const csv = await (await fetch(`${base}/api/dataValueSets.csv?${query}`, { headers: { cookie: city.cookie } })).text();
  const before = await exported(query);
  assert.ok(before.length >= 40);
  const del = await post(city, csv, '?importStrategy=DELETE', 'text/csv');
  assert.equal(del.body.importCount.deleted, before.length);
  assert.equal((await exported(query)).length, 0);
  const again = await post(city, csv, '', 'text/csv');
  assert.equal(again.body.importCount.imported, before.length);
  const after = await exported(query);
  assert.deepEqual(after.map((v) => [v.dataElement, v.orgUnit, v.period, v.value]),
    before.map((v) => [v.dataElement, v.orgUnit, v.period, v.value]));
});

test('tianbao import streams a large CSV file', async () => {
  const file = join(dir.path, 'big.csv');
  const lines = ['dataelement,period,orgunit,value'];
  const villages = (await city.get('/api/orgunits/440802001/children')).body.orgUnits.map((u) => u.code);
  for (let m = 0; m < 120; m++) {
    const period = `${2010 + Math.floor(m / 12)}-${String(m % 12 + 1).padStart(2, '0')}`;
    for (const v of villages) for (let k = 0; k < 20; k++) lines.push(`VIL_YZZ_USES,${period},${v},${k + m}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  // The running server holds the database too; the CLI writes alongside it (WAL).
  const r = cli('import', '--db', db, file);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.status, 'SUCCESS');
  assert.equal(summary.importCount.imported, 120 * villages.length);  // repeated keys update in place
  assert.equal(summary.importCount.updated, 120 * villages.length * 19);
  const bad = join(dir.path, 'bad.json');
  writeFileSync(bad, '{"dataValues":[{"dataElement":"NOPE","period":"2022-01","orgUnit":"44","value":1}]}');
  const atomic = cli('import', '--db', db, '--atomic', bad);
  assert.notEqual(atomic.status, 0);
  assert.match(atomic.stderr, /^错误：/);
  assert.notEqual(cli('import', '--db', db, join(dir.path, 'missing.csv')).status, 0);
});

test('ADX: import groups with ISO periods, export, and round trip', async () => {
  const adx = `<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-11-22T00:00:00Z">
  <group orgUnit="${ZH}" period="2024-03-01/P1M" dataSet="TOWN_MONTHLY">
    <dataValue dataElement="ZW_CASES" value="321"/>
    <dataValue dataElement="ZW_ONLINE_CASES" value="300"/>
  </group>
  <group orgUnit="${CJ}" period="2024-03-01/P1M">
    <dataValue dataElement="ZW_CASES" value="5.0万"/>
  </group>
  <group orgUnit="${ZH}" period="2024-03-15/P1M">
    <dataValue dataElement="ZW_CASES" value="1"/>
  </group>
</adx>`;
  const r = await post(city, adx, '', 'application/adx+xml');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.importCount, { imported: 2, updated: 0, ignored: 2, deleted: 0 });
  assert.match(r.body.conflicts[0].value, /50000/);
  assert.match(r.body.conflicts[1].value, /2024-03-15\/P1M/);
  const res = await fetch(`${base}/api/dataValueSets.adx?dataElement=ZW_CASES;ZW_ONLINE_CASES&orgUnit=${ZH}&period=2024-03`, { headers: { cookie: city.cookie } });
  assert.match(res.headers.get('content-type'), /adx\+xml/);
  const xml = await res.text();
  assert.match(xml, /<adx xmlns="urn:ihe:qrph:adx:2015">/);
  assert.match(xml, new RegExp(`<group orgUnit="${ZH}" period="2024-03-01/P1M">`));
  assert.match(xml, /dataElement="ZW_CASES" value="321"/);
  // Round trip: delete through ADX, then import the export again.
  assert.equal((await post(city, xml, '?importStrategy=DELETE', 'application/adx+xml')).body.importCount.deleted, 2);
  assert.equal((await post(city, xml, '', 'application/adx+xml')).body.importCount.imported, 2);
  assertError(assert, await post(city, '<adx><group', '', 'application/adx+xml'), 400, 'invalid_adx');
  assertError(assert, await post(city, '<root/>', '', 'application/adx+xml'), 400, 'invalid_adx');
});
