// What `tianbao demo` leaves behind: the bulletin's indicators, forms and
// rules, a year of figures that read like a real province, the monthly tasks
// of that year gone through the workflow (late units, returns), and open
// 2022-09 tasks for the demo users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from './helpers.mjs';

const MONTHS = ['2021-09', '2021-10', '2021-11', '2021-12', '2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07', '2022-08'];

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
  assert.ok(status.body.entries.every((e) => e.status === 'approved' && e.nextApprover === null));
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

// The figures as a viewer of the province sees them: one row per unit.
async function cityFigures(client, dx, pe) {
  const r = await client.get(`/api/analytics?dimension=dx:${dx}&dimension=ou:44;LEVEL-2&filter=pe:${pe}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows.map(([, ou, value]) => [ou, Number(value)]);
}

async function provinceSeries(client, dx) {
  const r = await client.get(`/api/analytics?dimension=dx:${dx}&filter=ou:44&dimension=pe:${MONTHS.join(';')}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const byPeriod = Object.fromEntries(r.body.rows.map(([, pe, value]) => [pe, Number(value)]));
  return MONTHS.map((m) => byPeriod[m]);
}

test('no two cities tie in the 2022-08 ranking of any indicator of the city form', async () => {
  const viewer = await login(base, 'gd_viewer');
  const form = (await viewer.get('/api/forms/CITY_MONTHLY')).body;
  const codes = form.sections.flatMap((s) => s.indicators);
  assert.equal(codes.length, 16);
  for (const dx of codes) {
    const rows = await cityFigures(viewer, dx, '2022-08');
    assert.equal(rows.length, 21, dx);
    const values = rows.map(([, v]) => v.toFixed(6));
    assert.equal(new Set(values).size, 21, `${dx}: ${JSON.stringify(rows)}`);
  }
});

test('cities grow at their own pace: 深圳 and 广州 slowest, a northern city fastest, one flat', async () => {
  const viewer = await login(base, 'gd_viewer');
  const growth = new Map();
  const start = Object.fromEntries(await cityFigures(viewer, 'YSS_REG_USERS', '2021-09'));
  for (const [ou, v] of await cityFigures(viewer, 'YSS_REG_USERS', '2022-08')) growth.set(ou, v / start[ou] - 1);
  const ranked = [...growth.entries()].sort((a, b) => b[1] - a[1]).map(([ou]) => ou);
  assert.ok(growth.get('4401') > 0 && growth.get('4403') > 0, 'user bases of 广州 and 深圳 still grow');
  assert.ok(ranked.indexOf('4401') > 14 && ranked.indexOf('4403') > 14, ranked.join(','));
  assert.ok(['4402', '4414', '4416', '4418'].includes(ranked[0]), `fastest: ${ranked[0]}`);
  assert.ok(growth.get('4415') < 0.03, `汕尾 ${growth.get('4415')}`);
  const largest = (await cityFigures(viewer, 'YSS_REG_USERS', '2022-08')).sort((a, b) => b[1] - a[1]);
  assert.deepEqual(largest.slice(0, 2).map(([ou]) => ou).sort(), ['4401', '4403']);
});

test('flows dip at the Spring Festival (2022-02) and peak with the year-end push (2021-12)', async () => {
  const viewer = await login(base, 'gd_viewer');
  for (const dx of ['HOTLINE_CALLS', 'YZZ_TRANSACTIONS', 'YST_MAU']) {
    const s = await provinceSeries(viewer, dx);
    const feb = s[MONTHS.indexOf('2022-02')];
    assert.equal(Math.min(...s), feb, `${dx}: ${s}`);
    assert.ok(feb < 0.9 * s[MONTHS.indexOf('2022-01')], `${dx}: ${s}`);
  }
  const transactions = await provinceSeries(viewer, 'YZZ_TRANSACTIONS');
  const dec = transactions[MONTHS.indexOf('2021-12')];
  assert.ok(dec > transactions[MONTHS.indexOf('2021-11')] && dec > transactions[MONTHS.indexOf('2022-01')], `${transactions}`);
});

test('the province\'s rates move from month to month: 接通率, 日活率, 覆盖率 and 网办率', async () => {
  const viewer = await login(base, 'gd_viewer');
  for (const dx of ['HOTLINE_RATE', 'YZY_DAU_RATE', 'YST_COVERAGE', 'ZW_ONLINE_RATE']) {
    const s = await provinceSeries(viewer, dx);
    assert.ok(s.every((v) => v > 30 && v < 100), `${dx}: ${s}`);
    assert.ok(new Set(s.map((v) => v.toFixed(2))).size >= 10, `${dx}: ${s}`);
  }
  // The hotline answers fewer calls in its busiest months.
  const rate = await provinceSeries(viewer, 'HOTLINE_RATE');
  assert.ok(rate[MONTHS.indexOf('2022-07')] < rate[MONTHS.indexOf('2022-02')], `${rate}`);
});

test('stocks never decrease and every stored month keeps the validation rules', async () => {
  const viewer = await login(base, 'gd_viewer');
  const stocks = ['YSS_REG_USERS', 'YSS_SERVICES', 'YSS_APP_INSTALLS', 'MARKET_ENTITIES', 'YST_ENTITIES', 'YZY_OPENED', 'GDZWFW_ITEMS', 'YZZ_MACHINES'];
  const r = await viewer.get(`/api/dataValueSets?dataElement=${[...stocks, 'YZY_DAU', 'HOTLINE_CALLS', 'HOTLINE_ANSWERED', 'ZW_CASES', 'ZW_ONLINE_CASES', 'VIL_OPEN_DAYS', 'VIL_AGENT_CASES'].join(';')}&orgUnit=44&children=true&period=${MONTHS.join(';')}`);
  assert.equal(r.status, 200);
  const v = new Map(r.body.dataValues.map((d) => [`${d.dataElement}|${d.orgUnit}|${d.period}`, Number(d.value)]));
  const at = (dx, ou, pe) => v.get(`${dx}|${ou}|${pe}`);
  const units = new Set(r.body.dataValues.map((d) => d.orgUnit));
  for (const ou of units) {
    for (let i = 0; i < MONTHS.length; ++i) {
      const pe = MONTHS[i];
      for (const dx of stocks) {
        if (i > 0 && at(dx, ou, pe) !== undefined) assert.ok(at(dx, ou, pe) >= at(dx, ou, MONTHS[i - 1]), `${dx} ${ou} ${pe}`);
      }
      if (at('YZY_DAU', ou, pe) !== undefined) assert.ok(at('YZY_DAU', ou, pe) <= at('YZY_OPENED', ou, pe), `DAU ${ou} ${pe}`);
      if (at('HOTLINE_CALLS', ou, pe) !== undefined) assert.ok(at('HOTLINE_ANSWERED', ou, pe) <= at('HOTLINE_CALLS', ou, pe), `hotline ${ou} ${pe}`);
      if (at('MARKET_ENTITIES', ou, pe) !== undefined) assert.ok(at('YST_ENTITIES', ou, pe) < at('MARKET_ENTITIES', ou, pe), `YST ${ou} ${pe}`);
      if (at('ZW_CASES', ou, pe) !== undefined) assert.ok(at('ZW_ONLINE_CASES', ou, pe) <= at('ZW_CASES', ou, pe), `online ${ou} ${pe}`);
      const days = at('VIL_OPEN_DAYS', ou, pe);
      if (days !== undefined) {
        assert.ok(days >= 16 && days <= 23, `open days ${ou} ${pe}: ${days}`);
        assert.ok(at('VIL_AGENT_CASES', ou, pe) <= days * 50);
      }
    }
  }
  // 便民服务站开放天数: varies, and is lowest in the Spring Festival month.
  const village = MONTHS.map((pe) => at('VIL_OPEN_DAYS', '440802001001', pe));
  assert.ok(new Set(village).size >= 3, `${village}`);
  assert.equal(Math.min(...village), village[MONTHS.indexOf('2022-02')], `${village}`);
});

test('the 2022-08 city task was not all on time: 及时率 below 100%, and an entry returned with a reason then approved', async () => {
  const approver = await login(base, 'gd_approver');
  const august = (await approver.get('/api/tasks')).body.tasks.find((t) => t.form === 'CITY_MONTHLY' && t.period === '2022-08');
  const status = (await approver.get(`/api/tasks/${august.id}/status`)).body;
  const province = status.regions.find((r) => r.orgUnit === '44');
  assert.equal(province.reportingRate, 100);
  assert.ok(province.timelyRate < 100 && province.timelyRate >= 80, `及时率 ${province.timelyRate}`);
  const late = status.entries.filter((e) => !e.onTime);
  assert.ok(late.every((e) => e.submittedAt.slice(0, 10) > august.dueDate), JSON.stringify(late));
  let returned = 0;
  for (const e of status.entries) {
    const entry = (await approver.get(`/api/tasks/${august.id}/entries/${e.orgUnit}`)).body;
    const actions = entry.events.map((x) => x.action);
    const back = entry.events.find((x) => x.action === 'return');
    if (!back) {
      assert.deepEqual(actions, ['save', 'submit', 'approve'], e.orgUnit);
      continue;
    }
    ++returned;
    assert.match(back.reason, /[\u4e00-\u9fff]/, 'a reason in 中文');
    assert.deepEqual(actions, ['save', 'submit', 'return', 'save', 'submit', 'approve'], e.orgUnit);
    assert.equal(entry.returnReason, back.reason);
  }
  assert.ok(returned >= 1);
});

test('every 提交于 of the demo history lies in 2021-10 … 2022-09, Beijing office hours', async () => {
  const admin = await login(base, 'sysadmin');
  const tasks = (await admin.get('/api/tasks')).body.tasks.filter((t) => t.period < '2022-09');
  assert.equal(tasks.filter((t) => t.form === 'CITY_MONTHLY').length, 12);
  assert.deepEqual(tasks.filter((t) => t.form === 'VILLAGE_MONTHLY').map((t) => t.period).sort(), ['2022-06', '2022-07', '2022-08']);
  assert.deepEqual(tasks.filter((t) => t.form === 'TOWN_MONTHLY').map((t) => t.period), ['2022-08']);
  let count = 0;
  for (const task of tasks) {
    const status = (await admin.get(`/api/tasks/${task.id}/status`)).body;
    for (const e of status.entries) {
      assert.match(e.submittedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      assert.ok(e.submittedAt >= '2021-10-01' && e.submittedAt < '2022-10-01', `${task.period} ${e.orgUnit} ${e.submittedAt}`);
      assert.ok(e.submittedAt.slice(0, 7) > task.period, 'after the month it reports');
      const hour = Number(e.submittedAt.slice(11, 13));
      assert.ok(hour >= 9 && hour < 19, `${task.period} ${e.orgUnit} ${e.submittedAt}`);
      ++count;
    }
  }
  assert.ok(count > 300, `${count} entries`);
});

test('the open 2022-09 tasks already have a few units submitted, approved or returned, none of them a demo user\'s', async () => {
  const province = await login(base, 'gd_approver');
  const city = (await province.get('/api/tasks')).body.tasks.find((t) => t.form === 'CITY_MONTHLY' && t.period === '2022-09');
  const status = (await province.get(`/api/tasks/${city.id}/status`)).body;
  const by = Object.fromEntries(status.entries.map((e) => [e.orgUnit, e]));
  assert.equal(by['4408'].status, 'not_started');
  assert.ok(status.entries.filter((e) => e.status === 'submitted').length >= 3);
  assert.equal(by['4403'].status, 'approved');
  assert.equal(by['4406'].status, 'returned');
  assert.match(by['4406'].returnReason, /[\u4e00-\u9fff]/);
  const rate = status.regions.find((r) => r.orgUnit === '44').reportingRate;
  assert.ok(rate > 0 && rate < 50, `报送率 ${rate}`);
  const zh = await login(base, 'zh_approver');
  const village = (await zh.get('/api/tasks')).body.tasks.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09');
  const villages = (await zh.get(`/api/tasks/${village.id}/status`)).body.entries;
  assert.equal(villages.find((e) => e.orgUnit === '440802001001').status, 'not_started');
  assert.equal(villages.filter((e) => e.status === 'submitted').length, 1);
  const zj = await login(base, 'zj_approver');
  const town = (await zj.get('/api/tasks')).body.tasks.find((t) => t.form === 'TOWN_MONTHLY' && t.period === '2022-09');
  const towns = (await zj.get(`/api/tasks/${town.id}/status`)).body.entries;
  assert.ok(towns.filter((e) => e.orgUnit.startsWith('440802')).every((e) => e.status === 'not_started'));
  assert.ok(towns.some((e) => e.status === 'returned'));
});

test('two demo runs into fresh databases give the same figures and the same history', async () => {
  const other = tempDir();
  const second = await startServer(demoDatabase(other.path));
  try {
    const snapshot = async (url) => {
      const admin = await login(url, 'sysadmin');
      const codes = (await admin.get('/api/indicators')).body.indicators.filter((i) => !i.derived).map((i) => i.code);
      const r = await admin.get(`/api/dataValueSets?dataElement=${codes.join(';')}&orgUnit=44&children=true&period=${[...MONTHS, '2022-09'].join(';')}`);
      assert.equal(r.status, 200);
      const values = r.body.dataValues.map((d) => `${d.dataElement}|${d.orgUnit}|${d.period}|${d.value}`).sort();
      const tasks = (await admin.get('/api/tasks')).body.tasks.filter((t) => t.period < '2022-09');
      const history = [];
      for (const t of tasks) {
        for (const e of (await admin.get(`/api/tasks/${t.id}/status`)).body.entries) {
          history.push(`${t.form}|${t.period}|${e.orgUnit}|${e.status}|${e.submittedAt}|${e.onTime}`);
        }
      }
      return { values, history: history.sort() };
    };
    const a = await snapshot(base);
    const b = await snapshot(second.url);
    assert.ok(a.values.length > 5000, `${a.values.length} values`);
    assert.deepEqual(b.values, a.values);
    assert.deepEqual(b.history, a.history);
  } finally {
    await second.stop();
    other.remove();
  }
});
