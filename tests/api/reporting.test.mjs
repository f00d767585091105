// The reporting flow through the HTTP API alone: indicators (with a derived
// rate), a form, rules, a task for all towns of 湛江市, entry with
// validation, submission with 说明, approval up the chain, return with a
// reason, completeness, reminders, history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login, assertError, getJson, sql } from './helpers.mjs';

let dir, db, server, base, admin, city, filler, county, cityApprover;
let taskId, lateTaskId;
const ZH = '440802001';  // 中华街道
const CJ = '440802002';  // 寸金街道
const PERIOD = '2026-10';

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  server = await startServer(db);
  base = server.url;
  admin = await login(base, 'sysadmin');
  city = await login(base, 'zj_admin');
  filler = await login(base, 'zh_filler');
  county = await login(base, 'ck_approver');
  cityApprover = await login(base, 'zj_approver');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const indicators = [
  { code: 'T_SERVICES', name: '上线服务事项', unit: '项', valueType: 'integer', kind: 'stock', min: 0,
    definition: '截至月末已上线的服务事项数', guidance: '按系统统计口径填报整数' },
  { code: 'T_USERS', name: '注册用户数', unit: '万', valueType: 'number', kind: 'stock', min: 0 },
  { code: 'T_CALLS', name: '来电量', unit: '个', valueType: 'integer', kind: 'flow', min: 0 },
  { code: 'T_ANSWERED', name: '接通量', unit: '个', valueType: 'integer', kind: 'flow', min: 0 },
  { code: 'T_RATE', name: '接通率', unit: '%', valueType: 'percent', kind: 'flow', formula: 'T_ANSWERED / T_CALLS * 100' },
];

test('an administrator defines indicators, with derived ones checked', async () => {
  for (const ind of indicators) {
    const r = await admin.post('/api/indicators', ind);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const rate = await admin.get('/api/indicators/T_RATE');
  assert.equal(rate.body.derived, true);
  assert.equal(rate.body.formula, 'T_ANSWERED / T_CALLS * 100');
  const unknown = await admin.post('/api/indicators', { code: 'T_BAD', name: '坏', formula: 'T_CALLS / T_NOPE' });
  assertError(assert, unknown, 400, 'unknown_indicator');
  assert.match(unknown.body.error.message, /T_NOPE/);
  await admin.post('/api/indicators', { code: 'T_X', name: 'X', formula: 'T_CALLS + 1' });
  const cycle = await admin.put('/api/indicators/T_CALLS', { name: '来电量', formula: 'T_X * 2' });
  assertError(assert, cycle, 400, 'formula_cycle');
  assert.match(cycle.body.error.message, /T_CALLS/);
  assertError(assert, await admin.post('/api/indicators', { code: 'bad code', name: 'x' }), 400, 'invalid_code');
  assertError(assert, await admin.post('/api/indicators', indicators[0]), 409, 'already_exists');
  assertError(assert, await admin.post('/api/indicators', { code: 'T_Y', name: 'y', formula: 'T_CALLS +' }), 400, 'invalid_formula');
  const check = await admin.post('/api/indicators/check-formula', { formula: 'T_ANSWERED / T_CALLS' });
  assert.equal(check.status, 200);
  assertError(assert, await filler.post('/api/indicators', { code: 'T_Z', name: 'z' }), 403, 'permission_denied');
  assert.equal((await admin.del('/api/indicators/T_X')).status, 200);
});

test('a form and validation rules', async () => {
  const form = {
    code: 'T_TOWN_MONTHLY', name: '镇街数字政府月报', periodType: 'month', levels: [4],
    sections: [
      { title: '服务', indicators: ['T_SERVICES', 'T_USERS'] },
      { title: '热线', indicators: ['T_CALLS', 'T_ANSWERED', 'T_RATE'] },
    ],
  };
  assert.equal((await admin.post('/api/forms', form)).status, 201);
  const bad = await admin.post('/api/forms', { ...form, code: 'T_BAD_FORM', sections: [{ title: 'x', indicators: ['NOPE'] }] });
  assertError(assert, bad, 400, 'unknown_indicator');
  assert.equal((await admin.post('/api/validation-rules', {
    code: 'T_ANSWERED_LE_CALLS', name: '接通量不超过来电量', left: 'T_ANSWERED', operator: '<=',
    right: 'T_CALLS', severity: 'error', message: '接通量不能大于来电量',
  })).status, 201);
  assert.equal((await admin.post('/api/validation-rules', {
    code: 'T_USERS_SANE', name: '注册用户数核实', left: 'T_USERS', operator: '<=', right: '500',
    severity: 'warning', message: '镇街注册用户超过 500 万，请核实',
  })).status, 201);
  const got = await admin.get('/api/forms/T_TOWN_MONTHLY');
  assert.equal(got.body.rules.length, 2);
  assert.equal(got.body.indicatorDetails.T_SERVICES.unit, '项');
});

test('a task goes to all towns of 湛江市', async () => {
  const r = await city.post('/api/tasks', {
    form: 'T_TOWN_MONTHLY', period: PERIOD, orgUnits: { root: '4408', level: 4 }, deadline: '2099-12-31',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  taskId = r.body.id;
  // A deadline in the past is refused; one today or later is taken.
  const past = await city.post('/api/tasks', {
    form: 'T_TOWN_MONTHLY', period: '2026-09', orgUnits: [ZH, CJ], deadline: 'P18D',
  });
  assertError(assert, past, 400, 'deadline_past');
  const late = await city.post('/api/tasks', {
    form: 'T_TOWN_MONTHLY', period: '2026-09', orgUnits: [ZH, CJ], deadline: '2099-12-31',
  });
  assert.equal(late.status, 201);
  lateTaskId = late.body.id;
  // Time passes: the task's deadline, 2026-10-18, is behind us (as a store
  // holds it once the day has gone by).
  sql(db, `UPDATE task SET deadline = 'P18D', due_date = '2026-10-18' WHERE id = ${lateTaskId}`);
  assertError(assert, await city.post('/api/tasks', { form: 'T_TOWN_MONTHLY', period: '2026Q3', orgUnits: [ZH], deadline: 'P18D' }), 400, 'invalid_period');
  assertError(assert, await city.post('/api/tasks', { form: 'T_TOWN_MONTHLY', period: PERIOD, orgUnits: ['440802'], deadline: '2099-12-31' }), 400, 'wrong_level');
  assertError(assert, await city.post('/api/tasks', { form: 'T_TOWN_MONTHLY', period: PERIOD, orgUnits: ['440403103'], deadline: '2099-12-31' }), 404, 'unknown_org_unit');
  assertError(assert, await city.post('/api/tasks', { form: 'T_TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH], deadline: '月后18日' }), 400, 'invalid_deadline');
  assertError(assert, await filler.post('/api/tasks', { form: 'T_TOWN_MONTHLY', period: PERIOD, orgUnits: [ZH], deadline: 'P18D' }), 403, 'permission_denied');
  const mine = await filler.get('/api/tasks');
  const task = mine.body.tasks.find((t) => t.id === taskId);
  assert.equal(task.assigned, 1);
  assert.equal(task.ownEntry.status, 'not_started');
  assert.equal(task.dueDate, '2099-12-31');
  const lateTask = mine.body.tasks.find((t) => t.id === lateTaskId);
  assert.equal(lateTask.dueDate, '2026-10-18');
});

async function entry(client, org = ZH, id = taskId) {
  const r = await client.get(`/api/tasks/${id}/entries/${org}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('entry: bad figures are caught with clear messages and nothing is stored', async () => {
  const e = await entry(filler);
  assert.equal(e.status, 'not_started');
  assert.equal(e.permissions.edit, true);
  const field = e.sections[0].fields[0];
  assert.equal(field.code, 'T_SERVICES');
  assert.equal(field.unit, '项');
  assert.equal(field.definition, '截至月末已上线的服务事项数');
  const cases = [
    [{ T_SERVICES: 'abc' }, 'T_SERVICES', 'not_a_number'],
    [{ T_CALLS: '5.0万' }, 'T_CALLS', 'unit_slip', '50000'],
    [{ T_USERS: '5.0万' }, 'T_USERS', 'unit_slip', '5.0'],
    [{ T_SERVICES: '12.5' }, 'T_SERVICES', 'not_integer'],
    [{ T_SERVICES: -3 }, 'T_SERVICES', 'below_min'],
    [{ T_SERVICES: '1,23' }, 'T_SERVICES', 'thousands_separator'],
    [{ T_RATE: 50 }, 'T_RATE', 'derived_field'],
    [{ NOT_ON_FORM: 1 }, 'NOT_ON_FORM', 'unknown_field'],
  ];
  for (const [values, fieldCode, code, suggestion] of cases) {
    const r = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_ANSWERED: 10, ...values } });
    assertError(assert, r, 400, 'validation_failed');
    const v = r.body.violations.find((x) => x.field === fieldCode);
    assert.ok(v, JSON.stringify(r.body));
    assert.equal(v.code, code);
    assert.match(v.message, /[\u4e00-\u9fff]/);
    if (suggestion) assert.equal(v.suggestion, suggestion);
  }
  const wrongType = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_SERVICES: [1] } });
  assertError(assert, wrongType, 400, 'invalid_type');
  const after = await entry(filler);
  assert.equal(after.version, e.version);
  assert.equal(after.status, 'not_started');
  for (const v of Object.values(after.values)) assert.equal(v, null);
});

test('entry: full-width digits and separators are accepted; stale writes are refused', async () => {
  const e = await entry(filler);
  const r = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, {
    version: e.version, values: { T_SERVICES: '１２３', T_USERS: '1,234.5', T_CALLS: 2000, T_ANSWERED: '1800' },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.version, e.version + 1);
  const warning = r.body.violations.find((v) => v.field === 'T_USERS_SANE');
  assert.equal(warning.severity, 'warning');
  const stale = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_SERVICES: 1 } });
  assertError(assert, stale, 409, 'version_conflict');
  assertError(assert, await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { values: { T_SERVICES: 1 } }), 400, 'version_required');
  const saved = await entry(filler);
  assert.equal(saved.status, 'draft');
  assert.deepEqual(saved.values, { T_SERVICES: 123, T_USERS: 1234.5, T_CALLS: 2000, T_ANSWERED: 1800 });
  const rate = saved.sections[1].fields.find((f) => f.code === 'T_RATE');
  assert.equal(rate.value, 90);
  // If-Match works as well as a version in the body.
  const viaHeader = await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { values: { T_SERVICES: 124 } }, { 'if-match': `"${saved.version}"` });
  assert.equal(viaHeader.status, 200);
});

test('rules: an error blocks submission; a warning needs a 说明', async () => {
  let e = await entry(filler);
  await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_ANSWERED: 2500 } });
  const blocked = await filler.post(`/api/tasks/${taskId}/entries/${ZH}/submit`, { explanation: '' });
  assertError(assert, blocked, 400, 'validation_failed');
  assert.ok(blocked.body.violations.some((v) => v.field === 'T_ANSWERED_LE_CALLS' && v.severity === 'error'));
  e = await entry(filler);
  await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_ANSWERED: 1800 } });
  const needs = await filler.post(`/api/tasks/${taskId}/entries/${ZH}/submit`, {});
  assertError(assert, needs, 400, 'explanation_required');
  const ok = await filler.post(`/api/tasks/${taskId}/entries/${ZH}/submit`, { explanation: '本月新增统一身份认证用户，数据已核实' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  e = await entry(filler);
  assert.equal(e.status, 'submitted');
  assert.equal(e.explanation, '本月新增统一身份认证用户，数据已核实');
  assert.equal(e.nextApprover, '440802');
  assert.equal(e.permissions.edit, false);
  assertError(assert, await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_SERVICES: 1 } }), 409, 'entry_locked');
});

test('another unit\'s entry is neither readable nor writable by a filler', async () => {
  assertError(assert, await filler.get(`/api/tasks/${taskId}/entries/${CJ}`), 404, 'unknown_entry');
  const w = await filler.put(`/api/tasks/${taskId}/entries/${CJ}`, { version: 1, values: { T_SERVICES: 1 } });
  assert.equal(w.status, 404);
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${CJ}/submit`, {}), 404, 'unknown_org_unit');
});

test('approval goes up level by level; the city returns another town with a reason', async () => {
  // The city cannot jump the county.
  assertError(assert, await cityApprover.post(`/api/tasks/${taskId}/entries/${ZH}/approve`), 409, 'not_your_turn');
  assertError(assert, await filler.post(`/api/tasks/${taskId}/entries/${ZH}/approve`), 403, 'permission_denied');
  assert.equal((await county.post(`/api/tasks/${taskId}/entries/${ZH}/approve`)).status, 200);
  let e = await entry(county);
  assert.equal(e.status, 'approved');
  assert.deepEqual(e.approvals, ['440802']);
  assert.equal(e.nextApprover, '4408');
  assert.equal((await cityApprover.post(`/api/tasks/${taskId}/entries/${ZH}/approve`)).status, 200);
  e = await entry(cityApprover);
  assert.deepEqual(e.approvals, ['440802', '4408']);
  assert.equal(e.nextApprover, null);
  assertError(assert, await county.post(`/api/tasks/${taskId}/entries/${ZH}/return`, { reason: '再核实' }), 409, 'approved_above');
  const events = e.events.map((x) => x.action);
  assert.deepEqual(events, ['save', 'submit', 'approve', 'approve']);
  assert.ok(e.events.every((x) => x.username && x.at));

  // 寸金街道: filled and submitted by the system administrator, approved by the county, returned by the city.
  let cj = await entry(admin, CJ);
  assert.equal((await admin.put(`/api/tasks/${taskId}/entries/${CJ}`, { version: cj.version, values: { T_SERVICES: 80, T_USERS: 12, T_CALLS: 100, T_ANSWERED: 90 } })).status, 200);
  assert.equal((await admin.post(`/api/tasks/${taskId}/entries/${CJ}/submit`, {})).status, 200);
  assert.equal((await county.post(`/api/tasks/${taskId}/entries/${CJ}/approve`)).status, 200);
  assertError(assert, await cityApprover.post(`/api/tasks/${taskId}/entries/${CJ}/return`, { reason: '  ' }), 400, 'required');
  assert.equal((await cityApprover.post(`/api/tasks/${taskId}/entries/${CJ}/return`, { reason: '来电量与热线系统不符，请核对' })).status, 200);
  cj = await entry(admin, CJ);
  assert.equal(cj.status, 'returned');
  assert.equal(cj.returnReason, '来电量与热线系统不符，请核对');
  assert.deepEqual(cj.approvals, []);
  assert.equal(cj.permissions.edit, true);
});

test('报送率 and 及时率 are right at town, county and city level', async () => {
  const s = await cityApprover.get(`/api/tasks/${taskId}/status`);
  assert.equal(s.status, 200);
  const towns = s.body.entries.length;
  assert.ok(towns > 100, `${towns} towns`);
  const region = (code) => s.body.regions.find((r) => r.orgUnit === code);
  const chikan = region('440802');
  const chikanTowns = s.body.entries.filter((e) => e.orgUnit.startsWith('440802')).length;
  assert.equal(chikan.assigned, chikanTowns);
  assert.equal(chikan.submitted, 1);
  assert.equal(chikan.onTime, 1);
  assert.equal(chikan.reportingRate, Math.round(10000 / chikanTowns) / 100);
  const zj = region('4408');
  assert.equal(zj.assigned, towns);
  assert.equal(zj.submitted, 1);
  assert.equal(zj.approved, 1);
  const zh = s.body.entries.find((e) => e.orgUnit === ZH);
  assert.equal(zh.onTime, true);
  assert.equal(zh.nextApprover, null, 'approved up to the issuer: nobody is next');
  const cj = s.body.entries.find((e) => e.orgUnit === CJ);
  assert.equal(cj.status, 'returned');
  assert.equal(cj.nextApprover, null);
  // The county sees only its own towns.
  const c = await county.get(`/api/tasks/${taskId}/status`);
  assert.equal(c.body.entries.length, chikanTowns);
  assert.ok(!c.body.regions.some((r) => r.orgUnit === '4408'));

  // A submission after the deadline counts for 报送率 but not 及时率.
  const e = await entry(filler, ZH, lateTaskId);
  await filler.put(`/api/tasks/${lateTaskId}/entries/${ZH}`, { version: e.version, values: { T_SERVICES: 120, T_USERS: 10, T_CALLS: 100, T_ANSWERED: 90 } });
  assert.equal((await filler.post(`/api/tasks/${lateTaskId}/entries/${ZH}/submit`, {})).status, 200);
  const late = await cityApprover.get(`/api/tasks/${lateTaskId}/status`);
  // 审核 lists what waits for whom: a fresh submission waits for its county.
  assert.equal(late.body.entries.find((x) => x.orgUnit === ZH).nextApprover, '440802');
  const lateRegion = late.body.regions.find((r) => r.orgUnit === '440802');
  assert.equal(lateRegion.reportingRate, 50);
  assert.equal(lateRegion.timelyRate, 0);
});

test('催报 creates notices for units not yet submitted; returns notify too', async () => {
  const r = await city.post(`/api/tasks/${lateTaskId}/remind`, { message: '请于今日内报送' });
  assert.equal(r.status, 200);
  assert.equal(r.body.reminded, 1);
  const created = await admin.post('/api/users', { username: 'cj_filler', displayName: '寸金填表员', orgUnit: CJ, roles: ['filler'], password: 'Cunjin#2026' });
  assert.equal(created.status, 201);
  const first = await login(base, 'cj_filler', 'Cunjin#2026');
  const res = await fetch(`${base}/api/password`, {
    method: 'POST', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf },
    body: JSON.stringify({ old: 'Cunjin#2026', new: 'Cunjin#2027' }),
  });
  assert.equal(res.status, 200);
  const cj = await login(base, 'cj_filler', 'Cunjin#2027');
  const notices = await cj.get('/api/notices');
  const kinds = notices.body.notices.map((n) => n.kind);
  assert.ok(kinds.includes('remind'));
  assert.ok(kinds.includes('return'));
  assert.ok(notices.body.notices.some((n) => n.message.includes('来电量与热线系统不符')));
  assertError(assert, await filler.post(`/api/tasks/${taskId}/remind`, {}), 403, 'permission_denied');
});

test('value history keeps old and new value, who, when and the channel', async () => {
  const h = await cityApprover.get(`/api/dataValues/history?dataElement=T_SERVICES&orgUnit=${ZH}&period=${PERIOD}`);
  assert.equal(h.status, 200);
  const values = h.body.history.map((x) => [x.previousValue, x.value, x.username, x.channel]);
  assert.deepEqual(values, [[null, '123', 'zh_filler', 'form'], ['123', '124', 'zh_filler', 'form']]);
  assertError(assert, await filler.get(`/api/dataValues/history?dataElement=T_SERVICES&orgUnit=${CJ}&period=${PERIOD}`), 404, 'unknown_org_unit');
});

test('single values through the API: validated, audited, locked once submitted', async () => {
  const tok = await city.post('/api/tokens', { name: '热线系统' });
  const api = (body) => getJson(`${base}/api/dataValues`, {
    method: 'POST', headers: { authorization: `Bearer ${tok.body.token}` }, body: JSON.stringify(body),
  });
  const ok = await api({ dataElement: 'T_CALLS', period: '2026-11', orgUnit: CJ, value: 321 });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assertError(assert, await api({ dataElement: 'T_CALLS', period: '2026-11', orgUnit: CJ, value: '5.0万' }), 400, 'validation_failed');
  const held = await api({ dataElement: 'T_CALLS', period: PERIOD, orgUnit: ZH, value: 1 });
  assertError(assert, held, 409, 'cell_locked');
  assert.match(held.body.error.message, new RegExp(`（任务 ${taskId}），该表已审核`));
  assertError(assert, await api({ dataElement: 'T_NOPE', period: PERIOD, orgUnit: CJ, value: 1 }), 404, 'unknown_indicator');
  assertError(assert, await api({ dataElement: 'T_CALLS', period: '2026-13', orgUnit: CJ, value: 1 }), 400, 'invalid_period');
  assertError(assert, await api({ dataElement: 'T_CALLS', period: PERIOD, orgUnit: '4404', value: 1 }), 404, 'unknown_org_unit');
  const h = await city.get(`/api/dataValues/history?dataElement=T_CALLS&orgUnit=${CJ}&period=2026-11`);
  assert.equal(h.body.history.at(-1).channel, 'api');
  const audit = await admin.get('/api/audit?action=datavalue&limit=5');
  assert.ok(audit.body.records.some((r) => r.object === `T_CALLS/${CJ}/2026-11`));
});

test('a higher level can un-approve; approved entries stay locked for the filler', async () => {
  assertError(assert, await county.post(`/api/tasks/${taskId}/entries/${ZH}/unapprove`, {}), 403, 'permission_denied');
  assert.equal((await cityApprover.post(`/api/tasks/${taskId}/entries/${ZH}/unapprove`, { reason: '复核' })).status, 200);
  const e = await entry(cityApprover);
  assert.deepEqual(e.approvals, ['440802']);
  assert.equal(e.status, 'approved');
  assertError(assert, await filler.put(`/api/tasks/${taskId}/entries/${ZH}`, { version: e.version, values: { T_SERVICES: 1 } }), 409, 'entry_locked');
});

test('two concurrent saves of one version: exactly one wins, the other gets 409', async () => {
  const e = await entry(admin, CJ);
  const other = await login(base, 'sysadmin');
  const results = await Promise.all([
    admin.put(`/api/tasks/${taskId}/entries/${CJ}`, { version: e.version, values: { T_CALLS: 111 } }),
    other.put(`/api/tasks/${taskId}/entries/${CJ}`, { version: e.version, values: { T_CALLS: 222 } }),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  const winner = results.find((r) => r.status === 200);
  const after = await entry(admin, CJ);
  assert.equal(after.version, winner.body.version);
  assert.ok([111, 222].includes(after.values.T_CALLS));
});
