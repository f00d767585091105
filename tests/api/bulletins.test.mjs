// Bulletin and work-report templates over HTTP: CRUD, validation errors
// naming the field, roles and scope, and rendering to DOCX, XLSX and HTML
// with the figures GET /api/analytics gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { tempDir, demoDatabase, startServer, login, assertError, cli } from './helpers.mjs';

let dir, db, server, base, viewer, admin;

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  server = await startServer(db);
  base = server.url;
  viewer = await login(base, 'gd_viewer');
  admin = await login(base, 'gd_admin');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const simple = (code, extra = {}) => ({
  code,
  title: '测试月报',
  issuer: '测试局',
  orgUnit: '44',
  blocks: [
    { type: 'text', title: '要闻', html: '<p>已有{{值 指标=YSS_SERVICES}}项服务。</p>' },
    { type: 'indicators', title: '指标', groups: [{ name: '粤省事', items: [{ indicator: 'YSS_REG_USERS', decimals: 1 }] }] },
  ],
  ...extra,
});

// Raw GET of a render, as a browser download does.
async function render(client, code, query) {
  const res = await fetch(`${base}/api/bulletins/${code}/render?${query}`, { headers: { cookie: client.cookie } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function analytics(params) {
  const r = await viewer.get(`/api/analytics?${params}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows;
}

test('the demo templates are listed and readable', async () => {
  const list = await viewer.get('/api/bulletins');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const codes = list.body.bulletins.map((b) => b.code);
  assert.ok(codes.includes('demo') && codes.includes('demo-report'), codes.join());
  const demo = await viewer.get('/api/bulletins/demo');
  assert.equal(demo.body.title, '数字政府改革建设工作月报');
  assert.equal(demo.body.issuer, '广东省政务服务数据管理局');
  const types = demo.body.blocks.map((b) => b.type);
  for (const t of ['text', 'indicators', 'projects', 'units', 'distribution']) assert.ok(types.includes(t), t);
  const units = demo.body.blocks.find((b) => b.type === 'units');
  assert.equal(units.orgUnits.length, 21);
  assert.deepEqual(units.orgUnits.slice(0, 6), ['4401', '4403', '4404', '4405', '4406', '4402']);
  assert.equal((await viewer.get('/api/bulletins/demo-report')).body.kind, 'report');
});

test('admins create, update and delete templates; others may not', async () => {
  const created = await admin.post('/api/bulletins', simple('T1'));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.updatedBy, 'gd_admin');
  assertError(assert, await admin.post('/api/bulletins', simple('T1')), 409, 'already_exists');
  assertError(assert, await viewer.post('/api/bulletins', simple('T2')), 403, 'permission_denied');
  const updated = await admin.put('/api/bulletins/T1', { ...simple('T1'), title: '改过的月报' });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal((await viewer.get('/api/bulletins/T1')).body.title, '改过的月报');
  assertError(assert, await admin.put('/api/bulletins/T1', simple('OTHER')), 400, 'code_mismatch');
  assertError(assert, await viewer.del('/api/bulletins/T1'), 403, 'permission_denied');
  assert.equal((await admin.del('/api/bulletins/T1')).status, 200);
  assertError(assert, await viewer.get('/api/bulletins/T1'), 404, 'unknown_bulletin');
  assertError(assert, await admin.put('/api/bulletins/T1', simple('T1')), 404, 'unknown_bulletin');
  const filler = await login(base, 'gd_filler');
  assertError(assert, await filler.get('/api/bulletins'), 403, 'permission_denied');
});

test('a bad template is refused naming the field, and nothing is stored', async () => {
  const cases = [
    [{ ...simple('B1'), blocks: [{ type: 'indicators', groups: [{ name: 'x', items: [{ indicator: 'NO_SUCH' }] }] }] },
      'unknown_indicator', 'blocks[0].groups[0].items[0].indicator', /NO_SUCH/],
    [{ ...simple('B2'), blocks: [{ type: 'text', html: '<p>{{值 指标=YSS_SERVICES 格式=#.#}}</p>' }] },
      'invalid_placeholder', 'blocks[0].html', /格式/],
    [{ ...simple('B3'), blocks: [{ type: 'text', html: '<p>{{值 指标=GHOST}}</p>' }] },
      'unknown_indicator', 'blocks[0].html', /GHOST/],
    [{ ...simple('B4'), blocks: [{ type: 'text', html: '<p>{{值 指标=YSS_SERVICES</p>' }] },
      'invalid_placeholder', 'blocks[0].html', /}}/],
    [{ ...simple('B5'), blocks: [{ type: 'text', html: '<script>x</script>' }] },
      'invalid_rich_text', 'blocks[0].html', /script/],
    [{ ...simple('B6'), blocks: [{ type: 'chart' }] }, 'invalid_template', 'blocks[0].type', /chart/],
    [{ ...simple('B7'), blocks: [{ type: 'units', orgUnits: ['4401', '9999'], groups: [{ name: 'x', items: [{ indicator: 'YSS_SERVICES' }] }] }] },
      'unknown_org_unit', 'blocks[0].orgUnits[1]', /9999/],
    [{ ...simple('B8'), title: '' }, 'invalid_template', 'title', /title/],
    [{ ...simple('B9'), date: '2022-13-01' }, 'invalid_template', 'date', /date/],
    [{ ...simple('bad code!') }, 'invalid_template', 'code', /模板代码/],
    [{ ...simple('B10'), kind: 'report' }, 'invalid_template', 'blocks[1].type', /工作报告/],
  ];
  for (const [body, code, field, message] of cases) {
    const r = await admin.post('/api/bulletins', body);
    assertError(assert, r, 400, code);
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    assert.match(r.body.error.message, message);
  }
  const codes = (await viewer.get('/api/bulletins')).body.bulletins.map((b) => b.code);
  assert.ok(!codes.some((c) => c.startsWith('B')), codes.join());
});

test('rendering respects roles and scope', async () => {
  const zj = await login(base, 'zj_viewer');
  // The demo bulletin is about the province: outside 湛江's scope.
  const outside = await zj.get('/api/bulletins/demo/render?period=2022-08&format=html');
  assertError(assert, outside, 404, 'unknown_org_unit');
  // The work report is about 湛江 itself.
  const report = await render(zj, 'demo-report', 'period=2022-08&format=html');
  assert.equal(report.status, 200, report.bytes.toString());
  assert.match(report.bytes.toString(), /湛江市2022年1—8月数字政府改革建设工作情况/);
  const zjAdmin = await login(base, 'zj_admin');
  const r = await zjAdmin.post('/api/bulletins', simple('ZJ1'));
  assertError(assert, r, 400, 'unknown_org_unit');
  assert.equal(r.body.error.field, 'orgUnit');
  const own = await zjAdmin.post('/api/bulletins', simple('ZJ1', { orgUnit: '4408' }));
  assert.equal(own.status, 201, JSON.stringify(own.body));
  const filler = await login(base, 'gd_filler');
  assertError(assert, await filler.get('/api/bulletins/demo/render?period=2022-08&format=html'), 403, 'permission_denied');
  assertError(assert, await viewer.get('/api/bulletins/demo/render?format=html'), 400, 'required');
  assertError(assert, await viewer.get('/api/bulletins/demo/render?period=2022-08&format=pdf'), 400, 'invalid_format');
  assertError(assert, await viewer.get('/api/bulletins/demo/render?period=2022Q3'), 400, 'invalid_period');
  assertError(assert, await viewer.get('/api/bulletins/nope/render?period=2022-08'), 404, 'unknown_bulletin');
});

test('the three formats, with their content types', async () => {
  const docx = await render(viewer, 'demo', 'period=2022-08&format=docx');
  assert.equal(docx.status, 200);
  assert.equal(docx.type, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.match(docx.disposition, /attachment; filename="demo-2022-08\.docx"/);
  assert.equal(docx.bytes.subarray(0, 2).toString(), 'PK');
  const xlsx = await render(viewer, 'demo', 'period=2022-08&format=xlsx');
  assert.equal(xlsx.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK');
  const posted = await viewer.post('/api/bulletins/demo/render?period=2022-08&format=html', {});
  assert.equal(posted.status, 200);
  assert.match(posted.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(posted.body, /2022年第8期/);
  assert.match(posted.body, /2022年9月13日/);  // P13D after the month's end
  // A work report has no tables: XLSX is refused with a reason.
  assertError(assert, await viewer.get('/api/bulletins/demo-report/render?period=2022-08&format=xlsx'), 400, 'no_tables');
  // Renders are audited.
  const audit = await admin.get('/api/audit?action=bulletin.render');
  assert.equal(audit.status, 200);
  assert.ok(audit.body.records.some((r) => r.username === 'gd_viewer' && /format=docx/.test(r.detail)), JSON.stringify(audit.body.records.slice(0, 3)));
});

test('the HTML holds the figures analytics gives, the province total including 省直', async () => {
  const html = (await render(viewer, 'demo', 'period=2022-08&format=html')).bytes.toString();
  const rows = await analytics('dimension=dx:YSS_SERVICES&dimension=ou:4401;4408;44&filter=pe:2022-08&includeOwnDepartments=true');
  const v = (ou) => Number(rows.find((r) => r[1] === ou)[2]);
  const row = (name) => html.match(new RegExp(`<tr[^>]*><td>${name}</td>(.*?)</tr>`))[1];
  assert.match(row('广州'), new RegExp(`^<td class="figure">${v('4401')}</td>`));
  assert.match(row('湛江'), new RegExp(`^<td class="figure">${v('4408')}</td>`));
  assert.match(row('全省'), new RegExp(`^<td class="figure">${v('44')}</td>`));
  assert.match(row('省直'), new RegExp(`^<td class="figure">${v('44:DIRECT')}</td>`));
  const order = ['广州', '深圳', '珠海', '汕头', '佛山', '韶关', '河源', '梅州', '惠州', '汕尾', '东莞',
    '中山', '江门', '阳江', '湛江', '茂名', '肇庆', '清远', '潮州', '揭阳', '云浮', '省直', '全省'];
  const at = order.map((name) => html.indexOf(`<td>${name}</td>`));
  assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1])), `rows in the official order: ${at}`);
  // 接通率: 累计 is 1–8月's ratio of sums, 8月新增 the change from July's
  // ratio in 个百分点 (not August's rate with a %).
  const rate = await analytics('dimension=dx:HOTLINE_RATE&filter=ou:44&dimension=pe:2022-01..2022-08;2022-07;2022-08');
  const ratio = (pe) => Number(rate.find((r) => r[1] === pe)[2]);
  const ytd = ratio('2022-01..2022-08').toFixed(2);
  const change = (ratio('2022-08') - ratio('2022-07')).toFixed(2);
  assert.match(html, new RegExp(`<td>接通率</td><td class="figure">${ytd}%</td><td class="figure">${change}个百分点</td>`));
});

test('tianbao bulletin render writes the same document from the command line', () => {
  const out = join(dir.path, 'cli.html');
  const r = cli('bulletin', 'render', '--db', db, '--template', 'demo', '--period', '2022-08', '--format', 'html', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /已生成/);
  assert.match(readFileSync(out, 'utf8'), /数字政府改革建设工作月报/);
  const bad = cli('bulletin', 'render', '--db', db, '--template', 'nope', '--period', '2022-08', '--out', out);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /^错误：.*模板 nope 不存在/);
});
