// The address book (通讯录): CRUD with validation, search within scope,
// XLSX export and import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError } from './helpers.mjs';
import { makeXlsx } from './xlsx.mjs';

let dir, server, base, zjAdmin, ckViewer;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
  zjAdmin = await login(base, 'zj_admin');
  ckViewer = await login(base, 'ck_viewer');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const header = ['单位代码', '单位名称', '姓名', '职务', '手机', '办公电话', '电子邮箱', '备注'];

test('create, read, update, delete a contact', async () => {
  const created = await zjAdmin.post('/api/contacts', {
    orgUnit: '440802', name: '张三', title: '工作组组长', mobile: '139 1234 5678',
    officePhone: '0759-3181234', email: 'zhangsan@example.gov.cn',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.mobile, '13912345678', 'spaces removed');
  assert.equal(created.body.mobileLink, 'tel:13912345678');
  assert.equal(created.body.orgUnitName, '赤坎区');
  const id = created.body.id;
  const updated = await zjAdmin.put(`/api/contacts/${id}`, {
    orgUnit: '440802', name: '张三', title: '指挥办负责人', mobile: '13912345678',
    email: 'zhangsan@example.gov.cn',
  });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.title, '指挥办负责人');
  const seen = await ckViewer.get(`/api/contacts/${id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.mobile, '139****5678');
  assert.equal(seen.body.email, 'z***@example.gov.cn');
  assert.equal((await zjAdmin.del(`/api/contacts/${id}`)).status, 200);
  assertError(assert, await zjAdmin.get(`/api/contacts/${id}`), 404, 'unknown_contact');
  assertError(assert, await zjAdmin.get('/api/contacts/abc'), 404, 'unknown_contact');
});

test('bad contacts are refused with the field named, nothing stored', async () => {
  const base = { orgUnit: '4408', name: '李四', title: '联络员', mobile: '13800001111' };
  const cases = [
    [{ ...base, mobile: '5.0万' }, 'mobile'],
    [{ ...base, mobile: '1380000111' }, 'mobile'],
    [{ ...base, mobile: '', officePhone: '' }, 'mobile'],
    [{ ...base, email: 'not-an-email' }, 'email'],
    [{ ...base, name: '' }, 'name'],
    [{ ...base, name: 'x'.repeat(51) }, 'name'],
    [{ ...base, title: 7 }, 'title'],
    [{ ...base, orgUnit: '9999' }, 'orgUnit'],
  ];
  const before = (await zjAdmin.get('/api/contacts')).body.contacts.length;
  for (const [body, field] of cases) {
    const r = await zjAdmin.post('/api/contacts', body);
    assert.ok(r.status === 400 || r.status === 404, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field, JSON.stringify(body));
  }
  assert.equal((await zjAdmin.get('/api/contacts')).body.contacts.length, before);
});

test('search by name, title, unit name', async () => {
  const byTitle = await zjAdmin.get(`/api/contacts?q=${encodeURIComponent('总指挥')}`);
  assert.ok(byTitle.body.contacts.length >= 2);
  for (const c of byTitle.body.contacts) assert.match(c.title, /总指挥/);
  const byUnit = await zjAdmin.get(`/api/contacts?q=${encodeURIComponent('赤坎')}`);
  assert.ok(byUnit.body.contacts.every((c) => c.orgUnitName.includes('赤坎') || c.name.includes('赤坎')));
  const exact = await zjAdmin.get(`/api/contacts?title=${encodeURIComponent('审核员')}`);
  assert.ok(exact.body.contacts.length > 0);
  assert.ok(exact.body.contacts.every((c) => c.title === '审核员'));
  const titles = await zjAdmin.get('/api/contacts/titles');
  assert.ok(titles.body.titles.includes('总指挥'));
});

test('export as XLSX and import it back', async () => {
  const res = await fetch(`${base}/api/contacts.xlsx`, { headers: { cookie: zjAdmin.cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /spreadsheetml/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  const before = (await zjAdmin.get('/api/contacts?orgUnit=4408')).body.contacts.length;
  const r = await zjAdmin.post('/api/contacts/import', new Uint8Array(bytes));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // Rows of 广东省 (a superior) are listed but not editable by a city admin.
  const ownRows = before;
  assert.equal(r.body.updated, ownRows);
  assert.equal(r.body.imported, 0);
  for (const c of r.body.conflicts) assert.match(c.message, /不存在|管辖/);
});

test('import a spreadsheet: good rows saved, bad rows reported by row number', async () => {
  const file = makeXlsx([
    header,
    ['440802', '赤坎区', '王小明', '联络员', '13700001234', '', '', '新增'],
    ['440802', '赤坎区', '赵坏号', '联络员', '12345', '', '', ''],
    [],
    ['4404', '珠海市', '越界者', '联络员', '13700005678', '', '', ''],
    ['440802001', '中华街道', '钱多多', '填表员', '', '0759-3212345', 'qian@example.cn', ''],
  ]);
  const r = await zjAdmin.post('/api/contacts/import', new Uint8Array(file));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 2);
  assert.equal(r.body.status, 'WARNING');
  assert.deepEqual(r.body.conflicts.map((c) => c.row), [3, 5]);
  const names = (await zjAdmin.get('/api/contacts')).body.contacts.map((c) => c.name);
  assert.ok(names.includes('王小明') && names.includes('钱多多'));
  assert.ok(!names.includes('赵坏号') && !names.includes('越界者'));
});

test('an upload that is not a spreadsheet is a clear 400', async () => {
  for (const body of ['not a zip', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])]) {
    const r = await zjAdmin.post('/api/contacts/import', body);
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /Excel|xlsx|表格/);
  }
  const noHeader = await zjAdmin.post('/api/contacts/import', new Uint8Array(makeXlsx([['a', 'b']])));
  assertError(assert, noHeader, 400, 'missing_column');
  const viewer = await ckViewer.post('/api/contacts/import', new Uint8Array(makeXlsx([header])));
  assert.equal(viewer.status, 403);
});
