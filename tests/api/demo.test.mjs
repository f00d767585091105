// What `tianbao demo` leaves behind: the bulletin's indicators, forms and
// rules, a year of figures, the approved month 2022-08, and open 2022-09
// tasks for the demo users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from './helpers.mjs';

let dir, server, base;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

test('indicators modelled on the bulletin, with derived rates', async () => {
  const admin = await login(base, 'gd_admin');
  const list = (await admin.get('/api/indicators')).body.indicators;
  const byCode = Object.fromEntries(list.map((i) => [i.code, i]));
  assert.equal(byCode.YSS_REG_USERS.unit, '万');
  assert.equal(byCode.YSS_REG_USERS.kind, 'stock');
  assert.equal(byCode.HOTLINE_CALLS.kind, 'flow');
  assert.equal(byCode.YZY_DAU_RATE.formula, 'YZY_DAU / YZY_OPENED * 100');
  assert.equal(byCode.HOTLINE_RATE.derived, true);
  const forms = (await admin.get('/api/forms')).body.forms.map((f) => f.code);
  assert.deepEqual(forms.sort(), ['CITY_MONTHLY', 'TOWN_MONTHLY', 'VILLAGE_MONTHLY']);
  assert.ok((await admin.get('/api/validation-rules')).body.validationRules.length >= 5);
});

test('2022-08 is approved for all 21 cities and the 省直 departments', async () => {
  const admin = await login(base, 'gd_approver');
  const tasks = (await admin.get('/api/tasks')).body.tasks;
  const august = tasks.find((t) => t.period === '2022-08');
  assert.equal(august.assigned, 26);
  assert.equal(august.submitted, 26);
  const status = await admin.get(`/api/tasks/${august.id}/status`);
  const province = status.body.regions.find((r) => r.orgUnit === '44');
  assert.equal(province.reportingRate, 100);
  assert.equal(province.approved, 26);
  const zj = await admin.get(`/api/tasks/${august.id}/entries/4408`);
  assert.equal(zj.body.status, 'approved');
  assert.ok(zj.body.values.YSS_REG_USERS > 0);
  const rate = zj.body.sections.flatMap((s) => s.fields).find((f) => f.code === 'YZY_DAU_RATE');
  assert.ok(rate.value > 50 && rate.value < 70, `日活率 ${rate.value}`);
  assert.ok(zj.body.sections[0].fields[0].previous > 0, 'July is shown for reference');
});

test('open 2022-09 tasks await the demo fillers', async () => {
  for (const [user, form] of [['cun_filler', 'VILLAGE_MONTHLY'], ['zh_filler', 'TOWN_MONTHLY'], ['zj_filler', 'CITY_MONTHLY']]) {
    const c = await login(base, user);
    const tasks = (await c.get('/api/tasks')).body.tasks.filter((t) => t.ownEntry);
    const open = tasks.find((t) => t.form === form && t.period === '2022-09');
    assert.ok(open, `${user} has a ${form} task`);
    assert.equal(open.ownEntry.status, 'not_started');
    assert.ok(open.dueDate > new Date().toISOString().slice(0, 10), 'due in the future');
  }
});
