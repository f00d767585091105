// 数据分析 and 一屏统览 in Chromium against a real server with the demo data:
// the pivot table shows what /api/analytics answers, charts switch without
// errors, the XLSX export downloads; the dashboard colours the 21 cities,
// shows the API's province total, drills into 湛江市 and picks up a value
// posted through the API at the next refresh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { readFileSync } from 'node:fs';
import { launchBrowser, openPage, signIn, screenshot, BIG_SCREEN, PHONE } from './browser.mjs';

let dir, server, browser, viewer;

before(async () => {
  dir = tempDir();
  const db = demoDatabase(dir.path);
  server = await startServer(db);
  browser = await launchBrowser();
  viewer = await login(server.url, 'gd_viewer');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

async function analytics(client, params) {
  const res = await client.get(`/api/analytics?${params}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const number = (text) => Number(text.replace(/[,\s]/g, ''));

test('the dashboard colours the 21 cities and shows the province total of the API', async () => {
  const page = await openPage(browser, BIG_SCREEN);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/dashboard?indicator=YSS_REG_USERS&period=2022-08`);
  const map = page.locator('[data-test=dashboard-map][data-coloured="21"]');
  await map.waitFor();
  assert.equal(await map.getAttribute('data-features'), '21');
  const api = await analytics(viewer, 'dimension=dx:YSS_REG_USERS&filter=ou:44&filter=pe:2022-08');
  const total = page.locator('[data-test=dashboard-total]');
  assert.equal(await total.getAttribute('data-value'), api.rows[0][1]);
  assert.equal(number(await total.innerText()), Number(api.rows[0][1]));
  // The ranking lists the cities in the API's order of rank.
  const cities = await analytics(viewer,
    'dimension=dx:YSS_REG_USERS&dimension=ou:44;LEVEL-2&filter=pe:2022-08&measure=value,rank');
  const first = cities.rows.find((r) => r[3] === '1');
  const rows = page.locator('[data-test=dashboard-ranking] li');
  assert.equal(await rows.count(), 21);
  assert.match(await rows.first().innerText(), new RegExp(cities.metaData.items[first[1]].name));
  // 报送率 of the open 2022-09 city task: one row per city.
  assert.equal(await page.locator('[data-test=dashboard-reporting] li').count(), 21);
  await page.waitForFunction(() => performance.getEntriesByName('dashboard-ready').length === 1);
  await screenshot(page, '21-一屏统览');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// A point of the map canvas over the named city, found as a user would: by
// moving the mouse until the tooltip names it (nearest the south-west first).
async function pointAt(page, map, name) {
  const box = await map.boundingBox();
  const candidates = [];
  for (let fx = 0.05; fx < 0.6; fx += 0.05) {
    for (let fy = 0.5; fy < 1; fy += 0.05) candidates.push([fx, fy]);
  }
  candidates.sort((a, b) => Math.hypot(a[0] - 0.15, a[1] - 0.8) - Math.hypot(b[0] - 0.15, b[1] - 0.8));
  for (const [fx, fy] of candidates) {
    const point = [box.x + fx * box.width, box.y + fy * box.height];
    await page.mouse.move(...point);
    const tip = await map.evaluate((el) => el.textContent);
    if (tip.includes(name) && tip.includes('全省排名')) return point;
  }
  throw new Error(`no point of the map shows ${name}`);
}

test('clicking 湛江市 on the map drills down to its figures and back', async () => {
  const page = await openPage(browser, BIG_SCREEN);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/dashboard?indicator=YSS_REG_USERS&period=2022-08`);
  const map = page.locator('[data-test=dashboard-map][data-coloured="21"]');
  await map.waitFor();
  await page.mouse.click(...await pointAt(page, map, '湛江市'));
  await page.waitForURL(/city=4408/);
  assert.equal(await page.locator('[data-test=drill-title]').innerText(), '湛江市');
  const api = await analytics(viewer, 'dimension=dx:YSS_REG_USERS&filter=ou:4408&filter=pe:2022-08');
  // The city's own figure arrives with the next answer.
  await page.waitForFunction((value) =>
    Number(document.querySelector('[data-test=drill-value]')?.innerText.replace(/[,万]/g, '')) === value,
  Number(api.rows[0][1]));
  // The town task issued by 湛江市: 报送率 by its 9 counties.
  await page.locator('[data-test=reporting-440802]').waitFor();
  assert.equal(await page.locator('[data-test=dashboard-reporting] li').count(), 9);
  // ZW_CASES is reported by towns: the counties get a ranking chart.
  await page.locator('[data-test=drill-indicators] tr', { hasText: '政务服务办件量' }).click();
  await page.locator('[data-test=drill-chart]').waitFor({ state: 'visible' });
  await screenshot(page, '22-一屏统览-下钻');
  await page.locator('[data-test=drill-back]').click();
  await page.locator('[data-test=dashboard-map]').waitFor();
  assert.doesNotMatch(page.url(), /city=/);
  // The ranking beside the map drills down too (政务服务办件量: only 湛江 reports it).
  await page.locator('[data-test=rank-4408]').click();
  await page.waitForURL(/indicator=ZW_CASES.*city=4408/);
  await page.locator('[data-test=drill-title]', { hasText: '湛江市' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a value posted through the API shows up on the dashboard at the next refresh', async () => {
  const page = await openPage(browser, BIG_SCREEN);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/dashboard?indicator=YSS_REG_USERS&period=2022-09&refresh=1`);
  const total = page.locator('[data-test=dashboard-total]');
  await page.locator('[data-test=dashboard-map]').waitFor();
  await page.waitForFunction(() => performance.getEntriesByName('dashboard-ready').length === 1);
  // A few cities have reported 2022-09 already (the demo's open month).
  const before = Number(await total.getAttribute('data-value'));
  assert.ok(before > 0);
  const coloured = Number(await page.locator('[data-test=dashboard-map]').getAttribute('data-coloured'));
  assert.ok(coloured > 0 && coloured < 21, `${coloured} cities coloured`);
  // 湛江's 2022-09 entry has not been started: its administrator may write.
  const admin = await login(server.url, 'zj_admin');
  const posted = await admin.post('/api/dataValues',
    { dataElement: 'YSS_REG_USERS', period: '2022-09', orgUnit: '4408', value: '520.5' });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  await page.waitForFunction((expected) =>
    Math.abs(Number(document.querySelector('[data-test=dashboard-total]')?.dataset.value) - expected) < 1e-6,
  before + 520.5);
  assert.ok(Math.abs(number(await total.innerText()) - (before + 520.5)) < 0.1);
  // 湛江 joins the cities already coloured.
  await page.locator(`[data-test=dashboard-map][data-coloured="${coloured + 1}"]`).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// The figures of the pivot table: "row key|column key|measure" → API string.
async function tableCells(page) {
  return page.evaluate(() => {
    const cells = {};
    for (const el of document.querySelectorAll('[data-test=pivot-table] span[data-value]')) {
      if (el.dataset.value !== '') cells[`${el.dataset.row}|${el.dataset.col}|${el.dataset.measure}`] = el.dataset.value;
    }
    return cells;
  });
}

async function pickIndicator(page, name) {
  await page.locator('[data-test=pick-indicators]').click();
  await page.keyboard.type(name);
  await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click();
  await page.keyboard.press('Escape');
}

test('a viewer builds indicators × cities × months and the table shows what the API answers', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/analysis`);
  await page.locator('[data-test=pivot-table]').waitFor();
  await pickIndicator(page, '粤政易日活率');
  await pickIndicator(page, '粤商通市场主体注册量');
  await page.locator('[data-test=measure-rank]').click();
  await page.locator('[data-test=run-query]').click();
  await page.waitForURL(/dx=YSS_REG_USERS%2CYZY_DAU_RATE%2CYST_ENTITIES|dx=YSS_REG_USERS,YZY_DAU_RATE,YST_ENTITIES/);
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get('from'), '2022-03');
  assert.equal(query.get('to'), '2022-08');
  await page.locator('[data-test=pivot-table] span[data-measure=rank]').first().waitFor();
  const api = await analytics(viewer, 'dimension=dx:YSS_REG_USERS;YZY_DAU_RATE;YST_ENTITIES' +
    '&dimension=ou:USER_ORGUNIT;CHILDREN&dimension=pe:2022-03;2022-04;2022-05;2022-06;2022-07;2022-08&measure=value,rank');
  assert.equal(api.height, 3 * 21 * 6);
  const expected = {};
  for (const [dx, ou, pe, value, rank] of api.rows) {
    expected[`${dx}|${ou}|${pe}|value`] = value;
    expected[`${dx}|${ou}|${pe}|rank`] = rank;
  }
  assert.deepEqual(await tableCells(page), expected);
  // Shown as figures: 广州市's 2022-08 value with thousands separators.
  const cell = page.locator('[data-test=pivot-table] span[data-row="YSS_REG_USERS|4401"][data-col="2022-08"][data-measure=value]').first();
  assert.equal(number(await cell.innerText()), Number(expected['YSS_REG_USERS|4401|2022-08|value']));
  await page.locator('[data-test=run-query]:not(.is-loading)').waitFor();
  await screenshot(page, '20-数据分析');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('charts switch between bar, line and ranking; XLSX and CSV download; units by the picker; errors come in 中文', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/analysis?dx=YSS_REG_USERS&ou=children&m=value,new&pe=months&from=2022-01&to=2022-08` +
    '&layout=dx:row,ou:row,pe:col');
  await page.locator('[data-test=pivot-table]').waitFor();
  for (const type of ['line', 'rank', 'bar']) {
    await page.locator(`[data-test=chart-${type}]`).click();
    await page.locator(`[data-test=analysis-chart][data-chart=${type}] canvas`).waitFor();
  }
  assert.match(page.url(), /chart=bar/);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').click()]);
  assert.equal(xlsx.suggestedFilename(), '数据分析.xlsx');
  const bytes = readFileSync(await xlsx.path());
  assert.ok(bytes.length > 1000, `xlsx of ${bytes.length} bytes`);
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-csv]').click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /广州市/);
  // Specific units through the picker: 湛江市 and 茂名市 as the only rows.
  await page.locator('[data-test=unit-mode]').getByText('指定单位').click();
  for (const name of ['湛江市', '茂名市']) {
    await page.locator('[data-test=unit-picker]').click();
    await page.keyboard.type(name.slice(0, 2));
    await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click();
    await page.keyboard.press('Escape');
  }
  await page.locator('[data-test=run-query]').click();
  await page.waitForURL(/units=4408(%2C|,)4409/);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=pivot-table] [data-test=row-ou]')]
    .map((el) => el.textContent).join() === '湛江市,茂名市');

  // A period the server cannot read: its message, as returned.
  await page.goto(`${server.url}/analysis?dx=YSS_REG_USERS&ou=children&m=value&pe=custom&items=2022-13&layout=dx:row,ou:row,pe:col`);
  const error = page.locator('[data-test=analysis-error]');
  await error.waitFor();
  assert.match(await error.innerText(), /报告期“2022-13”格式不正确/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('数据分析 on a 390×844 phone: controls fold away, the table scrolls, no page overflow', async () => {
  const page = await openPage(browser, PHONE);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/analysis`);
  await page.locator('[data-test=pivot-table]').waitFor();
  assert.equal(await page.locator('[data-test=run-query]').isVisible(), false);
  await page.locator('[data-test=toggle-controls]').click();
  await page.locator('[data-test=run-query]').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  assert.ok(await page.locator('[data-test=pivot-table] [data-test=row-ou]', { hasText: '湛江市' }).count() >= 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// Regression: an answer without rows (a city viewer's default query over
// months with no figures yet) threw in the pivot and left the page blank.
test('a query with no figures says so instead of failing', async () => {
  const page = await openPage(browser, PHONE);
  await signIn(page, server.url, 'zj_viewer');
  await page.goto(`${server.url}/analysis?dx=YSS_REG_USERS&pe=months&from=2030-01&to=2030-02`);
  assert.match(await page.locator('[data-test=no-data]').innerText(), /没有数据/);
  const zj = await login(server.url, 'zj_viewer');
  const answer = await analytics(zj, 'dimension=dx:YSS_REG_USERS&dimension=ou:USER_ORGUNIT&dimension=pe:2030-01');
  assert.equal(answer.rows.length, 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
