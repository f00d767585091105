// 数据分析 and 一屏统览 in Chromium against a real server with the demo data:
// the pivot table shows what /api/analytics answers, charts switch without
// errors, the XLSX export downloads; the dashboard colours the 21 cities,
// shows the API's province total, drills into 湛江市 and picks up a value
// posted through the API at the next refresh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { launchBrowser, openPage, signIn, screenshot, BIG_SCREEN } from './browser.mjs';

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

test('clicking 湛江市 drills down to its figures and back', async () => {
  const page = await openPage(browser, BIG_SCREEN);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/dashboard?indicator=YSS_REG_USERS&period=2022-08`);
  await page.locator('[data-test=dashboard-map][data-coloured="21"]').waitFor();
  await page.locator('[data-test=rank-4408]').click();
  await page.waitForURL(/city=4408/);
  assert.equal(await page.locator('[data-test=drill-title]').innerText(), '湛江市');
  const api = await analytics(viewer, 'dimension=dx:YSS_REG_USERS&filter=ou:4408&filter=pe:2022-08');
  assert.equal(number((await page.locator('[data-test=drill-value]').innerText()).replace('万', '')),
    Number(api.rows[0][1]));
  // The town task issued by 湛江市: 报送率 by its 9 counties.
  await page.locator('[data-test=reporting-440802]').waitFor();
  assert.equal(await page.locator('[data-test=dashboard-reporting] li').count(), 9);
  // ZW_CASES is reported by towns: the counties get a ranking chart.
  await page.locator('[data-test=drill-indicators] tr', { hasText: '政务服务办件量' }).click();
  await page.locator('[data-test=drill-chart]').waitFor({ state: 'visible' });
  await page.waitForTimeout(1200); // let the bars and the trend finish growing
  await screenshot(page, '22-一屏统览-下钻');
  await page.locator('[data-test=drill-back]').click();
  await page.locator('[data-test=dashboard-map]').waitFor();
  assert.doesNotMatch(page.url(), /city=/);
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
  assert.equal(await total.getAttribute('data-value'), '');
  // 湛江's 2022-09 entry has not been started: its administrator may write.
  const admin = await login(server.url, 'zj_admin');
  const posted = await admin.post('/api/dataValues',
    { dataElement: 'YSS_REG_USERS', period: '2022-09', orgUnit: '4408', value: '520.5' });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  await page.waitForFunction(() =>
    document.querySelector('[data-test=dashboard-total]')?.dataset.value === '520.5', null, { timeout: 5000 });
  assert.equal(number(await total.innerText()), 520.5);
  await page.locator('[data-test=dashboard-map][data-coloured="1"]').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
