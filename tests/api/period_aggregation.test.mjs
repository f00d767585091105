// How an indicator aggregates over time (periodAggregation: sum, last,
// average, max) over HTTP: the field on /api/indicators, and the demo
// bulletin's 累计 and 新增 columns that follow it (issue 16: the bulletin
// printed eight months of monthly-active users added up, and the change
// of a rate in %).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError } from './helpers.mjs';
import { unzip } from './xlsx.mjs';

let dir, server, base, viewer, admin;

before(async () => {
  dir = tempDir();
  const db = demoDatabase(dir.path);
  server = await startServer(db);
  base = server.url;
  viewer = await login(base, 'gd_viewer');
  admin = await login(base, 'gd_admin');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

// Figures of one indicator at 44 per period: {period: number}.
async function figures(dx, periods) {
  const r = await viewer.get(`/api/analytics?dimension=dx:${dx}&filter=ou:44&dimension=pe:${periods.join(';')}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Object.fromEntries(r.body.rows.map((row) => [row[1], Number(row[2])]));
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

// The DOCX's tables as rows of cell texts, and its paragraphs' texts.
function readDocx(bytes) {
  const xml = unzip(bytes)['word/document.xml'].toString('utf8');
  const textOf = (part) => [...part.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescape(m[1])).join('');
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)]
    .map((tr) => [...tr[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((tc) => textOf(tc[0])));
  const paragraphs = [...xml.replace(/<w:tbl>[\s\S]*?<\/w:tbl>/g, '').matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
    .map((p) => textOf(p[0]));
  return { rows, paragraphs };
}

test('the demo indicators say how they aggregate over time', async () => {
  const r = await viewer.get('/api/indicators');
  assert.equal(r.status, 200);
  const by = Object.fromEntries(r.body.indicators.map((i) => [i.code, i]));
  const expected = {
    YSS_REG_USERS: 'last', YST_ENTITIES: 'last', YST_COVERAGE: 'last', YST_MAU: 'average',
    YZY_OPENED: 'last', YZY_DAU: 'average', YZY_DAU_RATE: 'average', HOTLINE_CALLS: 'sum',
    HOTLINE_ANSWERED: 'sum', HOTLINE_RATE: 'sum', YZZ_TRANSACTIONS: 'sum', PRJ_PREPARING: 'last',
  };
  for (const [code, over] of Object.entries(expected)) {
    assert.equal(by[code].periodAggregation, over, code);
    assert.equal(by[code].kind, over === 'last' ? 'stock' : 'flow', `${code} kind follows`);
  }
});

test('analytics averages 月活 over the months of a range, of the province total per month', async () => {
  const months = ['2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07', '2022-08'];
  const monthly = await figures('YST_MAU', [...months, '2022-09', '2022-01..2022-08', '2022Q3']);
  const mean = months.reduce((a, m) => a + monthly[m], 0) / months.length;
  assert.ok(Math.abs(monthly['2022-01..2022-08'] - mean) < 1e-6, `${monthly['2022-01..2022-08']} vs ${mean}`);
  // The quarter averages the months that have a value: the demo's open
  // September already has the figures of the cities that reported.
  const q3 = ['2022-07', '2022-08', '2022-09'].filter((m) => m in monthly);
  assert.ok(q3.length >= 2, JSON.stringify(monthly));
  const q3mean = q3.reduce((a, m) => a + monthly[m], 0) / q3.length;
  // The API writes four decimals.
  assert.ok(Math.abs(monthly['2022Q3'] - q3mean) < 1e-4, `${monthly['2022Q3']} vs ${q3mean} over ${q3}`);
});

test('the demo bulletin shows 月活 for the month, not a year sum, and a rate’s change in 个百分点', async () => {
  const res = await fetch(`${base}/api/bulletins/demo/render?period=2022-08&format=docx`, { headers: { cookie: viewer.cookie } });
  assert.equal(res.status, 200);
  const { rows, paragraphs } = readDocx(Buffer.from(await res.arrayBuffer()));
  // A row of the main-indicators table: 平台, 主要指标, 累计, 8月新增.
  const row = (label) => {
    const found = rows.find((r) => r.length === 4 && r[1] === label);
    assert.ok(found, `a row for ${label}: ${JSON.stringify(rows.slice(0, 20))}`);
    return found.slice(1);
  };

  // 粤商通 月活跃用户数: August's figure, marked as the month's; not 1–8月 added up.
  const months = ['2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07', '2022-08'];
  const mau = await figures('YST_MAU', months);
  const yearSum = months.reduce((a, m) => a + mau[m], 0);
  const [, shown, change] = row('月活跃用户数(万)');
  assert.equal(shown, `${mau['2022-08'].toFixed(1)}（8月）`);
  assert.notEqual(Number.parseFloat(shown).toFixed(1), yearSum.toFixed(1));
  assert.ok(Number.parseFloat(shown) < yearSum / 2, `${shown} is not a sum of months (${yearSum})`);
  assert.equal(change, (mau['2022-08'] - mau['2022-07']).toFixed(1));

  // 接通率: 累计 is 1–8月's ratio of sums; 8月新增 the change from July's ratio.
  const rate = await figures('HOTLINE_RATE', ['2022-01..2022-08', '2022-07', '2022-08']);
  const [, ytd, points] = row('接通率');
  assert.equal(ytd, `${rate['2022-01..2022-08'].toFixed(2)}%`);
  assert.equal(points, `${(rate['2022-08'] - rate['2022-07']).toFixed(2)}个百分点`);
  assert.doesNotMatch(points, /%/);
  // Every rate row's change is in 个百分点, never %.
  for (const label of ['覆盖率', '日活率', '接通率']) {
    const [, , c] = row(label);
    if (c) assert.match(c, /^-?\d+\.\d+个百分点$/, label);
  }
  // The stock beside it is still the month-end figure.
  const users = await figures('YSS_REG_USERS', ['2022-08']);
  assert.equal(row('实名注册用户数(万)')[1], users['2022-08'].toFixed(1));

  // The narrative's {{新增}} of a rate reads as one point change, the unit written once.
  const dau = await figures('YZY_DAU_RATE', ['2022-07', '2022-08']);
  const text = paragraphs.join('\n');
  assert.ok(text.includes(`较上月变化${(dau['2022-08'] - dau['2022-07']).toFixed(2)}个百分点`), text);
  assert.doesNotMatch(text, /%个百分点|个百分点个百分点/);
});

test('POST /api/indicators keeps periodAggregation, kind follows it, and a bad value is refused', async () => {
  const created = await admin.post('/api/indicators', { code: 'PA_PEAK', name: '峰值并发', unit: '万', periodAggregation: 'max' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.periodAggregation, 'max');
  assert.equal(created.body.kind, 'flow');
  const read = await admin.get('/api/indicators/PA_PEAK');
  assert.equal(read.body.periodAggregation, 'max');

  // A client that knows only kind: stock → last, flow → sum.
  const old = await admin.post('/api/indicators', { code: 'PA_OLD_STOCK', name: '旧客户端存量', kind: 'stock' });
  assert.equal(old.status, 201, JSON.stringify(old.body));
  assert.equal(old.body.periodAggregation, 'last');
  const flow = await admin.post('/api/indicators', { code: 'PA_OLD_FLOW', name: '旧客户端流量', kind: 'flow' });
  assert.equal(flow.body.periodAggregation, 'sum');

  // PUT with periodAggregation: stored, kind kept consistent.
  const put = await admin.put('/api/indicators/PA_PEAK', { name: '峰值并发', unit: '万', periodAggregation: 'last' });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.periodAggregation, 'last');
  assert.equal(put.body.kind, 'stock');
  assert.equal((await admin.get('/api/indicators/PA_PEAK')).body.kind, 'stock');

  const bad = await admin.post('/api/indicators', { code: 'PA_BAD', name: '错误', periodAggregation: 'median' });
  assertError(assert, bad, 400, 'invalid_value');
  assert.equal(bad.body.error.field, 'periodAggregation');
  assert.match(bad.body.error.message, /时间汇总方式/);
  assertError(assert, await admin.put('/api/indicators/PA_PEAK', { name: '峰值并发', periodAggregation: 'avg' }), 400, 'invalid_value');
  assert.equal((await admin.get('/api/indicators/PA_BAD')).status, 404);
});
