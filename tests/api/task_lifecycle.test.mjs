// A task's life after dispatch, through the HTTP API: a deadline in the past
// (or before the period ends) is refused; the deadline is extended for the
// whole task or some units; one unit is taken out (移出); a filler asks to
// take back a submission (撤回) and the approver refuses, then grants it;
// a task is cancelled with its entries kept as history. Each step is
// audited and the refusals name what is wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError } from './helpers.mjs';

let dir, server, admin, ckAdmin, zjAdmin, filler, approver, cunjinFiller;
let taskId;
const ZH = '440802001';  // 中华街道, zh_filler's
const CJ = '440802002';  // 寸金街道
const PERIOD = '2026-11';
const beijingToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  admin = await login(server.url, 'sysadmin');
  ckAdmin = await login(server.url, 'ck_admin');
  zjAdmin = await login(server.url, 'zj_admin');
  filler = await login(server.url, 'zh_filler');
  approver = await login(server.url, 'ck_approver');
  const created = await admin.post('/api/users', {
    username: 'cj_filler', displayName: '寸金填表员', orgUnit: CJ, roles: ['filler'], password: 'Cunjin#2026',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const first = await login(server.url, 'cj_filler', 'Cunjin#2026');
  const changed = await first.post('/api/password', { old: 'Cunjin#2026', new: 'Cunjin#2027' });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  cunjinFiller = await login(server.url, 'cj_filler', 'Cunjin#2027');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const status = async (client = ckAdmin) => {
  const r = await client.get(`/api/tasks/${taskId}/status`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const entry = async (client, org = ZH) => {
  const r = await client.get(`/api/tasks/${taskId}/entries/${org}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const audit = async (action) => (await admin.get(`/api/audit?action=${action}&limit=20`)).body.records;

test('a deadline before today, or before the period ends, is refused with a clear message', async () => {
  const past = await ckAdmin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH, CJ], deadline: '2022-11-18' });
  assertError(assert, past, 400, 'deadline_past');
  assert.match(past.body.error.message, new RegExp(`早于今天（${beijingToday()}）`));
  assert.equal(past.body.error.field, 'deadline');
  const early = await ckAdmin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: '2099-01', orgUnits: [ZH, CJ], deadline: '2098-12-31' });
  assertError(assert, early, 400, 'deadline_before_period_end');
  assert.match(early.body.error.message, /2099-01-31/);
  const ok = await ckAdmin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH, CJ], deadline: '2099-06-30' });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  taskId = ok.body.id;
});

test('the deadline is extended for the whole task or for some units, never brought forward, and audited', async () => {
  const all = await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-07-15' });
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.task.dueDate, '2099-07-15');
  const some = await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-07-31', orgUnits: [CJ] });
  assert.equal(some.status, 200, JSON.stringify(some.body));
  const s = await status();
  assert.equal(s.task.dueDate, '2099-07-15');
  assert.equal(s.entries.find((e) => e.orgUnit === CJ).dueDate, '2099-07-31');
  assert.equal(s.entries.find((e) => e.orgUnit === ZH).dueDate, null);
  assert.equal((await entry(cunjinFiller, CJ)).unitDueDate, '2099-07-31');
  assertError(assert, await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-07-01' }), 400, 'deadline_not_later');
  assertError(assert, await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2022-12-01', orgUnits: [ZH] }), 400, 'deadline_past');
  assertError(assert, await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-08-01', orgUnits: ['440802003'] }), 404, 'unknown_entry');
  assertError(assert, await filler.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-08-01' }), 403, 'permission_denied');
  const records = await audit('task.extend');
  assert.ok(records.some((r) => r.object === `task:${taskId}` && /2099-06-30 → 2099-07-15/.test(r.detail)), JSON.stringify(records));
  assert.ok(records.some((r) => r.object === `task:${taskId}` && /1 个单位延期至 2099-07-31/.test(r.detail)));
});

test('撤回: a refused recall keeps the entry submitted; a granted one makes it a draft the filler can change', async () => {
  const e = await entry(filler);
  const put = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { ZW_CASES: 900, ZW_ONLINE_CASES: 600 } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const sub = await filler.post(`/api/tasks/${taskId}/entries/${ZH}/submit`, { explanation: '已核实' });
  assert.equal(sub.status, 200, JSON.stringify(sub.body));
  assert.equal((await entry(filler)).permissions.recall, true);
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall`, {}), 400, 'required');
  assert.equal((await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall`, { reason: '网上办件量少报了' })).status, 200);
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall`, { reason: '再次申请' }), 409, 'recall_pending');
  assertError(assert, await approver.post(`/api/tasks/${taskId}/entries/${ZH}/approve`), 409, 'recall_pending');
  const seen = await entry(approver);
  assert.equal(seen.recallReason, '网上办件量少报了');
  assert.equal(seen.permissions.decideRecall, true);
  const notices = (await approver.get('/api/notices')).body.notices;
  assert.ok(notices.some((n) => n.kind === 'recall' && /申请撤回/.test(n.message)), JSON.stringify(notices));

  assertError(assert, await approver.post(`/api/tasks/${taskId}/entries/${ZH}/recall/deny`, {}), 400, 'required');
  assert.equal((await approver.post(`/api/tasks/${taskId}/entries/${ZH}/recall/deny`, { reason: '请先核对后再申请' })).status, 200);
  let now = await entry(filler);
  assert.equal(now.status, 'submitted');
  assert.equal(now.recallRequestedAt, null);
  assertError(assert, await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: now.version, values: { ZW_ONLINE_CASES: 650 } }), 409, 'entry_locked');

  assert.equal((await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall`, { reason: '网上办件量少报了50件' })).status, 200);
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall/grant`, {}), 403, 'permission_denied');
  assert.equal((await approver.post(`/api/tasks/${taskId}/entries/${ZH}/recall/grant`, {})).status, 200);
  now = await entry(filler);
  assert.equal(now.status, 'draft');
  assert.deepEqual(now.events.slice(-4).map((x) => x.action), ['recall_request', 'recall_deny', 'recall_request', 'recall_grant']);
  const fixed = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: now.version, values: { ZW_ONLINE_CASES: 650 } });
  assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
  assert.ok((await audit('entry.recall_grant')).some((r) => r.object === `task:${taskId}/${ZH}`));
  // An approved entry is not taken back by 撤回: that is 退回's work.
  assert.equal((await filler.post(`/api/tasks/${taskId}/entries/${ZH}/submit`, { explanation: '已核实' })).status, 200);
  assert.equal((await approver.post(`/api/tasks/${taskId}/entries/${ZH}/approve`)).status, 200);
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${ZH}/recall`, { reason: '又发现错误' }), 409, 'not_recallable');
});

test('a unit taken out of the task keeps its entry as 已移出 and counts in no rate', async () => {
  assertError(assert, await ckAdmin.post(`/api/tasks/${taskId}/entries/${CJ}/withdraw`, {}), 400, 'required');
  assertError(assert, await cunjinFiller.post(`/api/tasks/${taskId}/entries/${CJ}/withdraw`, { reason: '不适用' }), 403, 'permission_denied');
  assert.equal((await ckAdmin.post(`/api/tasks/${taskId}/entries/${CJ}/withdraw`, { reason: '寸金街道本月无此项业务' })).status, 200);
  const s = await status();
  const cj = s.entries.find((e) => e.orgUnit === CJ);
  assert.equal(cj.status, 'withdrawn');
  assert.equal(cj.statusLabel, '已移出');
  const county = s.regions.find((r) => r.orgUnit === '440802');
  assert.equal(county.assigned, 1);
  assert.equal(county.reportingRate, 100);
  const e = await entry(cunjinFiller, CJ);
  assert.equal(e.permissions.edit, false);
  assertError(assert, await cunjinFiller.put(`/api/tasks/${taskId}/entries/${CJ}`, { version: e.version, values: { ZW_CASES: 1 } }), 409, 'entry_withdrawn');
  assert.ok(!(await cunjinFiller.get('/api/tasks')).body.tasks.some((t) => t.id === taskId), 'gone from the unit\'s list');
});

test('a cancelled task keeps its entries as history, refuses every step, releases its values and is audited', async () => {
  assertError(assert, await ckAdmin.post(`/api/tasks/${taskId}/cancel`, {}), 400, 'required');
  assertError(assert, await filler.post(`/api/tasks/${taskId}/cancel`, { reason: 'x' }), 403, 'permission_denied');
  const other = await zjAdmin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH], deadline: '2099-12-31' });
  assertError(assert, other, 409, 'task_overlap');
  assert.equal(other.body.tasks[0].id, taskId);

  const r = await ckAdmin.post(`/api/tasks/${taskId}/cancel`, { reason: '口径调整，改由新任务收集' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const s = await status();
  assert.equal(s.task.state, 'cancelled');
  assert.equal(s.task.cancelReason, '口径调整，改由新任务收集');
  assert.equal(s.entries.find((e) => e.orgUnit === ZH).status, 'approved', 'entries are kept as they were');
  assertError(assert, await ckAdmin.post(`/api/tasks/${taskId}/cancel`, { reason: '再撤一次' }), 409, 'task_cancelled');
  assertError(assert, await approver.post(`/api/tasks/${taskId}/entries/${ZH}/return`, { reason: '退回' }), 409, 'task_cancelled');
  assertError(assert, await ckAdmin.post(`/api/tasks/${taskId}/remind`, {}), 409, 'task_cancelled');
  assertError(assert, await ckAdmin.request('PATCH', `/api/tasks/${taskId}`, { deadline: '2099-12-31' }), 409, 'task_cancelled');
  assert.ok((await audit('task.cancel')).some((r2) => r2.object === `task:${taskId}` && /口径调整/.test(r2.detail)));
  // Its cells are free: a new task over them is dispatched, and a value can be written.
  const again = await zjAdmin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH], deadline: '2099-12-31' });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  const single = await admin.post('/api/dataValues', { dataElement: 'ZW_CASES', period: PERIOD, orgUnit: ZH, value: 901 });
  assert.equal(single.status, 201, JSON.stringify(single.body));
  const listed = (await filler.get('/api/tasks')).body.tasks.find((t) => t.id === taskId);
  assert.equal(listed.state, 'cancelled');
});
