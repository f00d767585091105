// Excel per task: download the template of the demo's town task (镇街政务服务
// 月报, 2022-09, all towns of 湛江), read it back, fill it, upload it; the
// upload goes through form entry's checks and answers per cell.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError } from './helpers.mjs';
import { makeXlsx, readXlsx } from './xlsx.mjs';

let dir, server, base, admin, city, filler, townTaskId;
const ZH = '440802001';  // 中华街道 (zh_filler's town)
const CJ = '440802002';  // 寸金街道
const SHEET = '镇街政务服务月报';

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
  admin = await login(base, 'sysadmin');
  city = await login(base, 'zj_admin');
  filler = await login(base, 'zh_filler');
  const tasks = await admin.get('/api/tasks');
  townTaskId = tasks.body.tasks.find((t) => t.form === 'TOWN_MONTHLY' && t.period === '2022-09').id;
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

async function download(client, taskId = townTaskId) {
  const res = await fetch(`${base}/api/tasks/${taskId}/template.xlsx`, { headers: { cookie: client.cookie } });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type'), /spreadsheetml/);
  return readXlsx(Buffer.from(await res.arrayBuffer()));
}

const upload = (client, rows, query = '', sheet = SHEET) =>
  client.request('POST', `/api/tasks/${townTaskId}/upload${query}`, new Uint8Array(makeXlsx(rows, sheet)),
    { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });

// Column of a key in the hidden key row (row 2).
const col = (book, key) => book.rows[1].indexOf(key);
const rowOf = (book, org) => book.rows.findIndex((r) => r[0] === org);

const entryValues = async (org) => (await admin.get(`/api/tasks/${townTaskId}/entries/${org}`)).body;

test('the template has one sheet named after the form, headers with units, keys, notes, protection and validation', async () => {
  const book = await download(admin);
  assert.equal(book.name, SHEET);
  assert.deepEqual(book.rows[0], ['单位代码', '单位名称', '政务服务办件量（件）', '网上办件量（件）', '版本']);
  assert.deepEqual(book.rows[1], ['orgUnit', 'orgUnitName', 'ZW_CASES', 'ZW_ONLINE_CASES', 'version']);
  assert.ok(!book.rows[1].includes('ZW_ONLINE_RATE'), 'derived indicators are not filled in');
  const towns = book.rows.slice(2).map((r) => r[0]);
  assert.ok(towns.includes(ZH) && towns.includes(CJ));
  assert.ok(towns.every((t) => t.startsWith('4408')), 'only 湛江\'s towns, the task\'s units');
  assert.equal(book.rows[rowOf(book, ZH)][1], '中华街道');
  assert.match(book.xml, /<row r="2"[^>]*hidden="1"/, 'the key row is hidden');
  assert.match(book.xml, /<sheetProtection /, 'the sheet is protected');
  assert.match(book.xml, /<col min="5" max="5"[^>]*hidden="1"/, 'the version column is hidden');
  assert.match(book.xml, /<dataValidation type="whole"[^>]*sqref="C2:C1048576"/);
  assert.match(book.xml, /请填整数（单位：件）/);
  const comments = book.text('xl/comments1.xml');
  assert.match(comments, /政务服务办件量（ZW_CASES）/);
  const styles = book.text('xl/styles.xml');
  assert.match(styles, /<protection locked="0"\/>/, 'data cells are unlocked');
});

test('a filler gets the own unit only; other units in the caller\'s view are read-only rows', async () => {
  const own = await download(filler);
  assert.deepEqual(own.rows.slice(2).map((r) => r[0]), [ZH]);
  const cityBook = await download(city);
  assert.ok(cityBook.rows.length > 100, 'the city sees every town of the task');
  // zj_admin cannot fill a town's entry: the rows are locked (grey).
  const rowXml = cityBook.xml.match(new RegExp(`<row r="${rowOf(cityBook, ZH) + 1}"[^>]*>`))[0];
  assert.match(rowXml, /customFormat="1"/);
});

test('an upload stores drafts through form entry, dryRun keeps nothing, untouched rows stay unchanged', async () => {
  const book = await download(admin);
  const rows = book.rows.map((r) => [...r]);
  const zh = rowOf(book, ZH);
  rows[zh][col(book, 'ZW_CASES')] = '1,234';
  rows[zh][col(book, 'ZW_ONLINE_CASES')] = '1000';
  const before = await entryValues(ZH);

  const dry = await upload(admin, rows, '?dryRun=true');
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.dryRun, true);
  const dryZh = dry.body.entries.find((e) => e.orgUnit === ZH);
  assert.equal(dryZh.result, 'saved');
  assert.deepEqual(await entryValues(ZH).then((e) => e.values), before.values, 'dryRun stores nothing');

  const real = await upload(admin, rows);
  assert.equal(real.status, 200, JSON.stringify(real.body));
  assert.equal(real.body.status, 'OK');
  assert.deepEqual(real.body.errors, []);
  const zhResult = real.body.entries.find((e) => e.orgUnit === ZH);
  assert.equal(zhResult.result, 'saved');
  assert.equal(zhResult.row, zh + 1);
  assert.equal(zhResult.version, before.version + 1);
  assert.ok(real.body.entries.filter((e) => e.orgUnit !== ZH).every((e) => e.result === 'unchanged'));
  const after = await entryValues(ZH);
  assert.equal(after.values.ZW_CASES, 1234);
  assert.equal(after.values.ZW_ONLINE_CASES, 1000);
  assert.equal(after.status, 'draft');
  const history = await admin.get(`/api/dataValues/history?dataElement=ZW_CASES&orgUnit=${ZH}&period=2022-09`);
  assert.equal(history.body.history.at(-1).channel, 'xlsx');
  const audit = await admin.get('/api/audit?action=entry.upload');
  assert.match(audit.body.records?.[0]?.detail ?? JSON.stringify(audit.body), /保存 1 个单位/);

  // The template now carries the stored values, as numbers.
  const again = await download(admin);
  assert.equal(again.rows[rowOf(again, ZH)][col(again, 'ZW_CASES')], '1234');
});

test('errors name the cell: a unit slip with its suggestion, and the whole row is left unsaved', async () => {
  const book = await download(filler);
  const rows = book.rows.map((r) => [...r]);
  rows[2][col(book, 'ZW_CASES')] = '5.0万';
  rows[2][col(book, 'ZW_ONLINE_CASES')] = '10';
  const before = await entryValues(ZH);
  const r = await upload(filler, rows);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'ERROR');
  assert.equal(r.body.entries[0].result, 'rejected');
  assert.equal(r.body.errors.length, 1);
  const e = r.body.errors[0];
  assert.equal(e.sheet, SHEET);
  assert.equal(e.cell, 'C3');
  assert.equal(e.orgUnit, ZH);
  assert.equal(e.indicator, 'ZW_CASES');
  assert.equal(e.code, 'unit_slip');
  assert.equal(e.suggestion, '50000');
  assert.match(e.message, /50000/);
  assert.deepEqual((await entryValues(ZH)).values, before.values, 'nothing of the row is stored');
});

test('columns are found by their keys, so a reordered sheet still maps', async () => {
  const book = await download(filler);
  const order = [col(book, 'ZW_ONLINE_CASES'), col(book, 'version'), col(book, 'orgUnit'), col(book, 'ZW_CASES')];
  const rows = book.rows.map((r) => order.map((c) => r[c]));
  rows[2][0] = '321';
  rows[2][3] = '654';
  const r = await upload(filler, [['填报说明：请核对后上传'], ...rows]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.entries[0].result, 'saved', JSON.stringify(r.body));
  const v = (await entryValues(ZH)).values;
  assert.equal(v.ZW_ONLINE_CASES, 321);
  assert.equal(v.ZW_CASES, 654);
});

test('rows outside the caller\'s scope, outside the task, or of other units are per-row errors', async () => {
  const book = await download(filler);
  const rows = book.rows.map((r) => [...r]);
  const vcol = col(book, 'version');
  const c = col(book, 'ZW_CASES');
  const extra = (org, value) => { const r = Array(rows[1].length).fill(''); r[0] = org; r[c] = value; r[vcol] = '1'; return r; };
  rows.push(extra(CJ, '5'), extra('4401', '5'), extra('999999', '5'), extra('', '7'));
  const r = await upload(filler, rows);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'WARNING', 'some rows are wrong, the own one came through');
  const byOrg = Object.fromEntries(r.body.errors.map((e) => [e.orgUnit ?? 'none', e]));
  assert.equal(byOrg[CJ].code, 'unknown_org_unit', 'another town is outside a town filler\'s scope');
  assert.equal(byOrg[CJ].cell, 'A4');
  assert.equal(byOrg['4401'].code, 'unknown_org_unit');
  assert.equal(byOrg['999999'].code, 'unknown_org_unit');
  assert.equal(byOrg.none.code, 'required');
  assert.equal(byOrg.none.cell, 'A7');
  assert.equal(r.body.entries.find((e) => e.orgUnit === ZH).result, 'unchanged');

  // A city administrator sees every town but fills none: changing one is refused.
  const cityBook = await download(city);
  const cityRows = cityBook.rows.map((x) => [...x]);
  cityRows[rowOf(cityBook, CJ)][col(cityBook, 'ZW_CASES')] = '77';
  const denied = await upload(city, cityRows);
  const cj = denied.body.errors.find((e) => e.orgUnit === CJ);
  assert.equal(cj.code, 'permission_denied');
  // The sysadmin may, but 4401 has no entry in this task.
  const notInTask = await upload(admin, [rows[0], rows[1], extra('4401', '5')]);
  assert.equal(notInTask.body.errors[0].code, 'unknown_entry');
});

test('a row changed after download is not overwritten; a submitted entry is locked', async () => {
  const book = await download(filler);
  const rows = book.rows.map((r) => [...r]);
  // Someone saves through the form after the download.
  const current = await entryValues(ZH);
  const put = await filler.put(`/api/tasks/${townTaskId}/entries/${ZH}`,
    { version: current.version, values: { ZW_CASES: 900, ZW_ONLINE_CASES: 800 } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  rows[2][col(book, 'ZW_CASES')] = '1000';
  const stale = await upload(filler, rows);
  assert.equal(stale.body.errors[0].code, 'version_conflict');
  assert.match(stale.body.errors[0].message, /重新下载/);
  assert.equal((await entryValues(ZH)).values.ZW_CASES, 900, 'the later edit is kept');

  const fresh = await download(filler);
  const sub = await filler.post(`/api/tasks/${townTaskId}/entries/${ZH}/submit`, { explanation: '已核实' });
  assert.equal(sub.status, 200, JSON.stringify(sub.body));
  const lockedRows = fresh.rows.map((r) => [...r]);
  lockedRows[2][col(fresh, 'ZW_CASES')] = '1001';
  const locked = await upload(filler, lockedRows);
  assert.equal(locked.body.errors[0].code, 'entry_locked');
  // Handed in: the filler's next template shows the row locked and grey.
  const after = await download(filler);
  assert.match(after.xml, /<row r="3"[^>]*customFormat="1"/);
  const unchanged = await upload(filler, after.rows);
  assert.equal(unchanged.body.status, 'OK', 'a read-only row sent back as it was is fine');
  assert.equal(unchanged.body.entries[0].result, 'unchanged');
});

test('a broken or foreign file is a 400 with a 中文 message', async () => {
  const garbage = await filler.request('POST', `/api/tasks/${townTaskId}/upload`, 'not a spreadsheet',
    { 'content-type': 'application/octet-stream' });
  assertError(assert, garbage, 400, 'invalid_xlsx');
  const foreign = await upload(filler, [['姓名', '手机'], ['张三', '13800000000']]);
  assertError(assert, foreign, 400, 'not_a_template');
  const truncated = await filler.request('POST', `/api/tasks/${townTaskId}/upload`,
    new Uint8Array(makeXlsx([['a']]).subarray(0, 60)), {});
  assertError(assert, truncated, 400, 'invalid_xlsx');
  const dup = await upload(filler, [['orgUnit', 'ZW_CASES', 'ZW_CASES'], [ZH, '1', '2']]);
  assertError(assert, dup, 400, 'duplicate_column');
  const unknownTask = await fetch(`${base}/api/tasks/99999/template.xlsx`, { headers: { cookie: filler.cookie } });
  assert.equal(unknownTask.status, 404);
});
