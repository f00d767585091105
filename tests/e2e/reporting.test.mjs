// The reporting flow through the browser, as people do it: the village filler
// (南方社区) fills the 2022-09 monthly form, meets the unit-slip message for
// "5.0万" in a 件 field, takes the suggestion, submits (confirming) with a
// 说明; the town approver (中华街道) approves it in 审核 (confirming); the
// 一屏统览 dashboard shows the new province total.
// Also: the draft survives a reload, a second session's save shows a version
// conflict without losing typing, the phone layout, and a returned entry's
// reason on 我的任务. Tests run in order and share one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { launchBrowser, openPage, signIn, screenshot, PHONE, BIG_SCREEN } from './browser.mjs';

const VILLAGE = '440802001001';
let dir, server, browser, taskId, entryUrl, filler, totalBefore;

// The province total of 代办帮办件数 for 2022-09, as a 查看者 sees it.
async function provinceTotal() {
  const viewer = await login(server.url, 'gd_viewer');
  const r = await viewer.get('/api/analytics?dimension=dx:VIL_AGENT_CASES&filter=ou:44&filter=pe:2022-09');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Number(r.body.rows[0]?.[1] || 0);
}

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  browser = await launchBrowser();
  filler = await login(server.url, 'cun_filler');
  const tasks = (await filler.get('/api/tasks')).body.tasks;
  taskId = tasks.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09').id;
  entryUrl = `${server.url}/tasks/${taskId}/entries/${VILLAGE}`;
  // The district reminds the villages (催报), which the filler sees on top.
  const district = await login(server.url, 'ck_approver');
  assert.equal((await district.post(`/api/tasks/${taskId}/remind`, {})).status, 200);
  totalBefore = await provinceTotal();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

const field = (page, code) => page.locator(`[data-test="field-${code}"]`);
// Element Plus fades tags and alerts in; screenshot() waits for that.
const shoot = screenshot;
const saved = (page) => page.locator('[data-test=save-state]', { hasText: '已保存' }).waitFor();

test('a draft is saved as the filler types and survives a reload; a second session causes a clear conflict', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'cun_filler');
  await page.goto(entryUrl);
  await field(page, 'VIL_OPEN_DAYS').fill('21');
  await page.locator('[data-test=save-state]', { hasText: '有修改' }).waitFor();
  await saved(page);
  await page.reload();
  assert.equal(await field(page, 'VIL_OPEN_DAYS').inputValue(), '21');

  // Someone else (another window) saves the same entry meanwhile.
  const other = await login(server.url, 'cun_filler');
  const current = (await other.get(`/api/tasks/${taskId}/entries/${VILLAGE}`)).body;
  const put = await other.put(`/api/tasks/${taskId}/entries/${VILLAGE}`,
    { version: current.version, values: { VIL_OPEN_DAYS: 20 } });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  await field(page, 'VIL_YZZ_USES').fill('300');
  const conflict = page.locator('[data-test=conflict]');
  await conflict.waitFor();
  assert.match(await conflict.innerText(), /已被他人修改|另一个窗口/);
  assert.equal(await field(page, 'VIL_YZZ_USES').inputValue(), '300', 'typing is kept');
  await page.locator('[data-test=conflict-reload]').click();
  await conflict.waitFor({ state: 'detached' });
  await saved(page);
  assert.equal(await field(page, 'VIL_YZZ_USES').inputValue(), '300');
  assert.equal(await field(page, 'VIL_OPEN_DAYS').inputValue(), '20', 'the other session’s value is loaded');
  const stored = (await filler.get(`/api/tasks/${taskId}/entries/${VILLAGE}`)).body;
  assert.equal(stored.values.VIL_YZZ_USES, 300);
  assert.equal(stored.values.VIL_OPEN_DAYS, 20);

  // Submitting with a box left empty marks that box, nothing is submitted.
  await page.locator('[data-test=submit]').click();
  await page.locator('[data-test="message-VIL_AGENT_CASES"]').getByText('未填写').waitFor();
  assert.match(await page.locator('[data-test=submit-errors]').innerText(), /填写有误/);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.test), 'field-VIL_AGENT_CASES');
  assert.equal((await filler.get(`/api/tasks/${taskId}/entries/${VILLAGE}`)).body.status, 'draft');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('on a 390×844 phone the filler sees the task and the form without sideways scrolling', async () => {
  const page = await openPage(browser, PHONE);
  await signIn(page, server.url, 'cun_filler');
  const card = page.locator(`[data-test=task-card][data-task="${taskId}"]`);
  await card.waitFor();
  assert.equal(await card.locator('[data-test=task-action]').innerText(), '继续填报');
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(await overflow(), false, 'tasks page overflows');
  await card.locator('[data-test=task-action]').click();
  await field(page, 'VIL_AGENT_CASES').waitFor();
  assert.equal(await overflow(), false, 'entry page overflows');
  const box = await field(page, 'VIL_AGENT_CASES').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `input ${JSON.stringify(box)}`);
  await shoot(page, '05-填报-手机');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the filler meets the unit-slip message, takes the suggestion, fills the form and submits with a 说明', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'cun_filler');
  const card = page.locator(`[data-test=task-card][data-task="${taskId}"]`);
  await card.waitFor();
  assert.match(await card.locator('[data-test=deadline]').innerText(), /剩余 \d+ 天/);
  assert.equal(await card.locator('[data-test=task-status]').innerText(), '草稿');
  assert.match(await page.locator('[data-test=notice]').first().innerText(), /催报.*请尽快报送/s);
  await shoot(page, '02-我的任务');
  await card.locator('[data-test=task-action]').click();
  await page.waitForURL(`**/tasks/${taskId}/entries/${VILLAGE}`);

  // 5.0万 in a field counted in 件: the server's message and its suggestion.
  await field(page, 'VIL_AGENT_CASES').fill('5.0万');
  const message = page.locator('[data-test="message-VIL_AGENT_CASES"]');
  await message.getByText('应填 50000').waitFor();
  assert.match(await message.innerText(), /您填的是“5\.0万”，本栏单位是“件”/);
  const suggest = page.locator('[data-test="suggest-VIL_AGENT_CASES"]');
  assert.equal((await suggest.innerText()).trim(), '改为 50000');
  assert.equal(await page.locator('[data-test="previous-VIL_AGENT_CASES"]').innerText().then((t) => /127/.test(t)), true);
  await shoot(page, '03-填报');
  await suggest.click();
  assert.equal(await field(page, 'VIL_AGENT_CASES').inputValue(), '50000');

  // Enter moves to the next field, like Tab.
  await field(page, 'VIL_AGENT_CASES').press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.test), 'field-VIL_YZZ_USES');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('330');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.test), 'field-VIL_OPEN_DAYS');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('22');
  await saved(page);
  // 50000 against a median near 130 is an outlier: a warning next to the field.
  await message.getByText('异常').waitFor();

  await page.locator('[data-test=submit]').click();
  await page.locator('.el-message-box__message', { hasText: '确定提交' }).waitFor();
  await page.locator('.el-message-box__btns button', { hasText: '提交' }).click();
  const dialog = page.locator('[data-test=explanation-input]');
  await dialog.waitFor();
  await dialog.fill('九月开展集中代办活动，件数明显增加');
  await page.locator('[data-test=explanation-submit]').click();
  await page.locator('[data-test=entry-status]', { hasText: '已提交' }).waitFor();
  await page.locator('[data-test=next-approver]', { hasText: '中华街道' }).waitFor();
  assert.match(await page.locator('[data-test=events]').innerText(), /提交 · cun_filler/);
  assert.match(await page.locator('[data-test="figure-VIL_AGENT_CASES"]').innerText(), /50,000/);

  const stored = (await filler.get(`/api/tasks/${taskId}/entries/${VILLAGE}`)).body;
  assert.equal(stored.status, 'submitted');
  assert.deepEqual(stored.values, { VIL_AGENT_CASES: 50000, VIL_YZZ_USES: 330, VIL_OPEN_DAYS: 22 });
  assert.equal(stored.explanation, '九月开展集中代办活动，件数明显增加');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the town approver sees the entry in 审核 beside last period and approves it; a second approval is refused per entry', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'zh_approver');
  assert.equal(new URL(page.url()).pathname, '/review');
  const row = page.locator('[data-test=review-table] tr', { hasText: '南方社区' }).first();
  await row.locator('[data-test="status-' + VILLAGE + '"]', { hasText: '已提交' }).waitFor();
  assert.match(await row.innerText(), /50,000[\s\S]*上期 127/);
  assert.match(await page.locator(`[data-test="violations-${VILLAGE}"]`).innerText(), /\d+ 条提示/);
  // Another village of 中华街道 had submitted before (the demo's open month): 2 of 4.
  const rates = page.locator('[data-test=region-rates] [data-region="440802001"]');
  assert.match(await rates.innerText(), /中华街道[\s\S]*报送率[\s\S]*50\.0%/);
  assert.match(await page.locator('[data-test=status-filter]').innerText(), /已提交 2/);
  await shoot(page, '04-审核');

  await row.locator('.el-checkbox').first().click();
  await page.locator('[data-test=bulk-approve]').click();
  await page.locator('.el-message-box__message', { hasText: '确定审核通过选中的 1 份报表吗？南方社区' }).waitFor();
  await page.locator('.el-message-box__btns button', { hasText: '通过 1 份' }).click();
  const result = page.locator('[data-test=bulk-result]');
  await result.waitFor();
  assert.match(await result.innerText(), /已审核通过 1 份/);

  // Approving again is the district's turn: the failure is listed per entry.
  await page.locator('[data-test=status-filter]').getByText('全部').click();
  const again = page.locator('[data-test=review-table] tr', { hasText: '南方社区' }).first();
  await again.locator('[data-test="status-' + VILLAGE + '"]', { hasText: '已审核' }).waitFor();
  await again.locator('.el-checkbox').first().click();
  await page.locator('[data-test=bulk-approve]').click();
  await page.locator('.el-message-box__btns button', { hasText: '通过 1 份' }).click();
  await page.locator('[data-test=bulk-failure]').waitFor();
  assert.match(await page.locator('[data-test=bulk-failure]').innerText(), /南方社区.*应由赤坎区审核/);

  const stored = (await filler.get(`/api/tasks/${taskId}/entries/${VILLAGE}`)).body;
  assert.equal(stored.status, 'approved');
  assert.deepEqual(stored.approvals, ['440802001']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the 一屏统览 dashboard shows the new province total', async () => {
  const expected = totalBefore + 50000;
  assert.equal(await provinceTotal(), expected);
  const page = await openPage(browser, BIG_SCREEN);
  await signIn(page, server.url, 'gd_viewer');
  await page.goto(`${server.url}/dashboard?indicator=VIL_AGENT_CASES&period=2022-09`);
  const total = page.locator('[data-test=dashboard-total]');
  await page.waitForFunction((value) =>
    document.querySelector('[data-test=dashboard-total]')?.dataset.value === value, String(expected));
  assert.equal(Number((await total.innerText()).replace(/[^\d.]/g, '')), expected);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the district returns the entry from its page with a reason, which the filler reads on 我的任务', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'ck_approver');
  await page.goto(`${server.url}/review?task=${taskId}`);
  // Approved by the town, it now waits for the district: 待我审核 is chosen.
  await page.locator(`[data-test="open-${VILLAGE}"]`).waitFor();
  assert.match(await page.locator('[data-test=status-filter] .is-selected').innerText(), /待我审核 1/);
  await page.locator(`[data-test="open-${VILLAGE}"]`).click();
  const drawer = page.locator('[data-test=review-drawer]');
  await drawer.locator('[data-test="figure-VIL_AGENT_CASES"]', { hasText: '50,000' }).waitFor();
  await drawer.locator('[data-test=drawer-open-page]').click();
  await page.waitForURL(`**/tasks/${taskId}/entries/${VILLAGE}?from=review`);
  // The unit's name arrives after the entry; wait for it rather than read the code.
  await page.locator('[data-test=next-approver]', { hasText: '轮到您（赤坎区）审核' }).waitFor();
  await page.locator('[data-test=return]').click();
  await page.locator('[data-test=reason-input] textarea, textarea[data-test=reason-input]').first()
    .fill('代办件数与往月差距过大，请核实后重报');
  await page.locator('[data-test=reason-confirm]').click();
  await page.locator('[data-test=entry-status]', { hasText: '退回' }).waitFor();
  assert.match(await page.locator('[data-test=events]').innerText(), /退回 · ck_approver\s*（原因：代办件数与往月差距过大/);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const home = await openPage(browser);
  await signIn(home, server.url, 'cun_filler');
  const card = home.locator(`[data-test=task-card][data-task="${taskId}"]`);
  await card.locator('[data-test=return-reason]').waitFor();
  assert.match(await card.locator('[data-test=return-reason]').innerText(), /退回原因：代办件数与往月差距过大/);
  assert.equal(await card.locator('[data-test=task-action]').innerText(), '修改');
  assert.match(await home.locator('[data-test=notice]').first().innerText(), /退回.*代办件数与往月差距过大/s);
  await card.locator('[data-test=task-action]').click();
  await home.locator('[data-test=entry-return-reason]').waitFor();
  assert.equal(await field(home, 'VIL_AGENT_CASES').inputValue(), '50000');
  assert.deepEqual(home.problems, []);
  await home.context().close();
});

test('a derived field is computed as the town filler types, and an expired session loses nothing typed', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'zh_filler');
  const town = (await (await login(server.url, 'zh_filler')).get('/api/tasks')).body.tasks
    .find((t) => t.form === 'TOWN_MONTHLY' && t.period === '2022-09');
  await page.goto(`${server.url}/tasks/${town.id}/entries/440802001`);
  await field(page, 'ZW_CASES').fill('800');
  await field(page, 'ZW_ONLINE_CASES').fill('530');
  await page.locator('[data-test="derived-ZW_ONLINE_RATE"]', { hasText: '66.25' }).waitFor();
  await saved(page);

  // The session ends (as after a long pause); the next check/save waits for
  // the re-login dialog and is then retried with what was typed.
  await page.evaluate(async () => {
    const me = await (await fetch('/api/me')).json();
    await fetch('/api/logout', { method: 'POST', headers: { 'X-CSRF-Token': me.csrfToken }, body: '{}' });
  });
  await field(page, 'ZW_ONLINE_CASES').fill('540');
  await page.locator('[data-test=relogin-password]').fill('Demo@2022');
  await page.locator('[data-test=relogin-submit]').click();
  await saved(page);
  assert.equal(await field(page, 'ZW_ONLINE_CASES').inputValue(), '540');
  assert.equal(await field(page, 'ZW_CASES').inputValue(), '800');
  await page.locator('[data-test="derived-ZW_ONLINE_RATE"]', { hasText: '67.5' }).waitFor();
  const zh = await login(server.url, 'zh_filler');
  const stored = (await zh.get(`/api/tasks/${town.id}/entries/440802001`)).body;
  assert.equal(stored.values.ZW_ONLINE_CASES, 540);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
