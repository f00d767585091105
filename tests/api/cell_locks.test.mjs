// One cell, one lock (一事一报), through the HTTP API and the CLI: an
// overlapping task is refused naming the existing one; in a store from
// before that check (two tasks over the same cells, made here with SQL behind
// the server's back, as a migration-era store would hold them) a submitted cell refuses every
// write path — form entry, Excel upload, POST /api/dataValues,
// POST /api/dataValueSets, `tianbao import` — and keeps its value and its
// history; returned, it is writable again, and the walk is done twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, demoDatabase, startServer, login, assertError, cli, sql as sqlOn } from './helpers.mjs';
import { makeXlsx, readXlsx } from './xlsx.mjs';

let dir, db, server, base, admin, ckAdmin, filler, approver;
let first, second;  // the demo's village task and its migration-era twin
const VILLAGE = '440802001001';  // 南方社区, cun_filler's
const PERIOD = '2022-09';

const sql = (statement) => sqlOn(db, statement);

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  // A twin of the demo's 2022-09 village task over the same villages, as a
  // store from before the overlap check could hold.
  const original = Number(sql(
    "SELECT t.id FROM task t JOIN form f ON f.id = t.form_id WHERE f.code = 'VILLAGE_MONTHLY' AND t.period = '2022-09'"));
  sql(`INSERT INTO task(form_id, period, deadline, due_date, issuer_org_id, title, created_at, created_by)
       SELECT form_id, period, deadline, due_date, issuer_org_id, title || '（重复下发）', created_at, created_by
       FROM task WHERE id = ${original}`);
  const twin = Number(sql('SELECT max(id) FROM task'));
  sql(`INSERT INTO entry(task_id, org_unit_id, status, version)
       SELECT ${twin}, org_unit_id, 'not_started', 1 FROM entry WHERE task_id = ${original}`);
  first = { id: original };
  second = { id: twin };
  server = await startServer(db);
  base = server.url;
  admin = await login(base, 'sysadmin');
  ckAdmin = await login(base, 'ck_admin');
  filler = await login(base, 'cun_filler');
  approver = await login(base, 'zh_approver');
  const tasks = (await admin.get('/api/tasks')).body.tasks;
  first = tasks.find((t) => t.id === first.id);
  second = tasks.find((t) => t.id === second.id);
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const entryOf = async (client, task) => {
  const r = await client.get(`/api/tasks/${task.id}/entries/${VILLAGE}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const history = async () => (await admin.get(
  `/api/dataValues/history?dataElement=VIL_OPEN_DAYS&orgUnit=${VILLAGE}&period=${PERIOD}`)).body.history;
const storedOpenDays = async () => (await admin.get(
  `/api/dataValueSets?dataElement=VIL_OPEN_DAYS&orgUnit=${VILLAGE}&period=${PERIOD}`)).body.dataValues
  .map((v) => Number(v.value));

async function fillAndSubmit(task, values) {
  const e = await entryOf(filler, task);
  const put = await filler.put(`/api/tasks/${task.id}/entries/${VILLAGE}`, { version: e.version, values });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const sub = await filler.post(`/api/tasks/${task.id}/entries/${VILLAGE}/submit`, { explanation: '已核实' });
  assert.equal(sub.status, 200, JSON.stringify(sub.body));
}

test('the migration-era overlap is reported by tianbao init and by GET /api/tasks/overlaps', async () => {
  const init = cli('init', '--db', db);
  assert.equal(init.status, 0, init.stderr);
  assert.match(init.stderr, new RegExp(`任务 ${first.id} 与任务 ${second.id} 重叠`));
  const r = await admin.get('/api/tasks/overlaps');
  assert.equal(r.status, 200);
  const pair = r.body.overlaps.find((o) => o.task === first.id && o.other === second.id);
  assert.ok(pair, JSON.stringify(r.body));
  assert.equal(pair.units, first.assigned);
  assertError(assert, await filler.get('/api/tasks/overlaps'), 403, 'permission_denied');
});

test('a second task over the same form, month and villages is refused with 409 naming the existing task', async () => {
  const r = await ckAdmin.post('/api/tasks', {
    form: 'VILLAGE_MONTHLY', period: PERIOD, orgUnits: { root: '440802001', level: 5 }, deadline: '2099-12-31',
  });
  assertError(assert, r, 409, 'task_overlap');
  assert.match(r.body.error.message, new RegExp(`《${first.title}》（任务 ${first.id}）`));
  assert.match(r.body.error.message, /一事一报/);
  const tasks = (await admin.get('/api/tasks')).body.tasks;
  assert.equal(tasks.filter((t) => t.form === 'VILLAGE_MONTHLY' && t.period === PERIOD).length, 2,
    'nothing was dispatched');
});

test('while the first task holds the cell, all five write paths are refused and value and history stay as they were', async () => {
  await fillAndSubmit(first, { VIL_AGENT_CASES: 120, VIL_YZZ_USES: 300, VIL_OPEN_DAYS: 22 });
  const beforeHistory = await history();
  assert.deepEqual(await storedOpenDays(), [22]);
  const holder = new RegExp(`《${first.title}》（任务 ${first.id}），该表已提交`);

  // 1. Form entry in the twin task: the field says who holds it, and a save is refused.
  const twin = await entryOf(filler, second);
  const field = twin.sections.flatMap((s) => s.fields).find((f) => f.code === 'VIL_OPEN_DAYS');
  assert.equal(field.editable, false);
  assert.equal(field.heldBy.task, first.id);
  assert.equal(field.heldBy.status, 'submitted');
  const put = await filler.put(`/api/tasks/${second.id}/entries/${VILLAGE}`,
    { version: twin.version, values: { VIL_OPEN_DAYS: 24 } });
  assertError(assert, put, 409, 'cell_locked');
  assert.match(put.body.error.message, holder);
  assert.equal(put.body.error.field, 'VIL_OPEN_DAYS');

  // 2. Excel upload into the twin task.
  const res = await fetch(`${base}/api/tasks/${second.id}/template.xlsx`, { headers: { cookie: filler.cookie } });
  assert.equal(res.status, 200);
  const book = readXlsx(Buffer.from(await res.arrayBuffer()));
  const rows = book.rows.map((r) => [...r]);
  const row = rows.findIndex((r) => r[0] === VILLAGE);
  rows[row][book.rows[1].indexOf('VIL_OPEN_DAYS')] = '24';
  const upload = await filler.request('POST', `/api/tasks/${second.id}/upload`, new Uint8Array(makeXlsx(rows, book.name)),
    { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  assert.equal(upload.status, 200, JSON.stringify(upload.body));
  assert.equal(upload.body.entries.find((e) => e.orgUnit === VILLAGE).result, 'rejected');
  const uploadError = upload.body.errors.find((e) => e.orgUnit === VILLAGE);
  assert.equal(uploadError.code, 'cell_locked');
  assert.match(uploadError.message, holder);

  // 3. One value through POST /api/dataValues, even by the system administrator.
  const single = await admin.post('/api/dataValues',
    { dataElement: 'VIL_OPEN_DAYS', period: PERIOD, orgUnit: VILLAGE, value: 24 });
  assertError(assert, single, 409, 'cell_locked');
  assert.match(single.body.error.message, holder);

  // 4. A data value set.
  const set = await admin.post('/api/dataValueSets',
    { dataValues: [{ dataElement: 'VIL_OPEN_DAYS', period: PERIOD, orgUnit: VILLAGE, value: '24' }] });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.importCount.updated, 0);
  assert.equal(set.body.importCount.ignored, 1);
  assert.match(set.body.conflicts[0].value, new RegExp(`《${first.title}》（任务 ${first.id}）`));

  // 5. `tianbao import` beside the running server.
  const file = join(dir.path, 'open-days.csv');
  writeFileSync(file, `dataelement,period,orgunit,value\nVIL_OPEN_DAYS,${PERIOD},${VILLAGE},24\n`);
  const imported = cli('import', '--db', db, file);
  assert.equal(imported.status, 0, imported.stderr);
  const summary = JSON.parse(imported.stdout);
  assert.equal(summary.importCount.updated, 0);
  assert.equal(summary.importCount.ignored, 1);
  assert.match(summary.conflicts[0].value, new RegExp(`任务 ${first.id}`));

  assert.deepEqual(await storedOpenDays(), [22], 'the submitted figure is unchanged');
  assert.deepEqual(await history(), beforeHistory, 'and so is its history');
  const denied = await admin.get('/api/audit?action=datavalue.write&limit=5');
  assert.ok(denied.body.records.some((r) => r.outcome === 'denied' && /cell|任务/.test(r.detail)),
    JSON.stringify(denied.body.records));
});

test('returned, the cell is written through the twin and held by it; the first task then refuses, and the walk repeats', async () => {
  for (let round = 0; round < 2; ++round) {
    const [holder, other] = round === 0 ? [first, second] : [second, first];
    const ret = await approver.post(`/api/tasks/${holder.id}/entries/${VILLAGE}/return`, { reason: `第${round + 1}轮：开放天数有误` });
    assert.equal(ret.status, 200, JSON.stringify(ret.body));
    const days = 23 + round;
    await fillAndSubmit(other, { VIL_AGENT_CASES: 120, VIL_YZZ_USES: 300, VIL_OPEN_DAYS: days });
    assert.deepEqual(await storedOpenDays(), [days]);
    const last = (await history()).at(-1);
    assert.equal(last.value, String(days));
    assert.equal(last.username, 'cun_filler');
    // The returned entry may not write over what the other one now holds.
    const e = await entryOf(filler, holder);
    const put = await filler.put(`/api/tasks/${holder.id}/entries/${VILLAGE}`,
      { version: e.version, values: { VIL_OPEN_DAYS: 20 } });
    assertError(assert, put, 409, 'cell_locked');
    assert.match(put.body.error.message, new RegExp(`（任务 ${other.id}）`));
    assert.deepEqual(await storedOpenDays(), [days]);
  }
});

test('an overlapping task is dispatched by extending the existing one or by replacing it', async () => {
  const villages = (await admin.get('/api/orgunits/440802001/children')).body.orgUnits.map((u) => u.code).slice(0, 3);
  const period = '2026-11';
  const made = await ckAdmin.post('/api/tasks', { form: 'VILLAGE_MONTHLY', period, orgUnits: [villages[0]], deadline: '2099-12-31' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const wider = { form: 'VILLAGE_MONTHLY', period, orgUnits: villages.slice(0, 2), deadline: '2099-12-31' };
  const refused = await ckAdmin.post('/api/tasks', wider);
  assertError(assert, refused, 409, 'task_overlap');
  assert.match(refused.body.error.message, new RegExp(`任务 ${made.body.id}`));

  const extended = await ckAdmin.post('/api/tasks', { ...wider, extends: made.body.id });
  assert.equal(extended.status, 201, JSON.stringify(extended.body));
  assert.equal(extended.body.id, made.body.id);
  const status = await ckAdmin.get(`/api/tasks/${made.body.id}/status`);
  assert.deepEqual(status.body.entries.map((e) => e.orgUnit).sort(), villages.slice(0, 2).sort());

  const replaced = await ckAdmin.post('/api/tasks', { ...wider, orgUnits: villages, replaces: made.body.id });
  assert.equal(replaced.status, 201, JSON.stringify(replaced.body));
  assert.notEqual(replaced.body.id, made.body.id);
  const old = await ckAdmin.get(`/api/tasks/${made.body.id}/status`);
  assert.equal(old.body.task.state, 'cancelled');
  assert.match(old.body.task.cancelReason, /取代/);
  const overlaps = (await admin.get('/api/tasks/overlaps')).body.overlaps;
  assert.ok(!overlaps.some((o) => o.task === made.body.id || o.other === made.body.id));
});
