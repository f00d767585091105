// The life of a task in the browser (issue 16): a second task over the same
// cells is refused in the dispatch dialog, naming the task already open
// (一事一报), and nothing is dispatched; a task is extended (some units,
// then the whole task), a unit taken out and the task cancelled, each with
// its prompt; a filler submits (confirming), asks to take the entry back
// (撤回) with a reason, the town approver grants it and the entry can be
// edited again. Tests run in order and share one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { launchBrowser, openPage, signIn, screenshot } from './browser.mjs';

const VILLAGE = '440802001001';  // 南方社区, cun_filler's unit
const TOWN = '440802001';        // 中华街道
let dir, server, browser, admin;

// A date `days` after today in Beijing, as deadlines are written.
function beijingDate(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  browser = await launchBrowser();
  admin = await login(server.url, 'gd_admin');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

const by = (page) => (name) => page.locator(`[data-test="${name}"]`);
const messageBox = (page) => page.locator('.el-message-box');
const boxButton = (page, text) => page.locator('.el-message-box__btns button', { hasText: text });
async function chooseOption(page, text) {
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

test('dispatching 村（居）便民服务月报 2022-09 to 中华街道 again is refused in the dialog, naming the open task, and nothing is dispatched; 并入 keeps the one task', async () => {
  const before = (await admin.get('/api/tasks')).body.tasks;
  const existing = before.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09');
  assert.ok(existing, 'the demo has the 2022-09 village task');

  const page = await openPage(browser);
  const $ = by(page);
  await signIn(page, server.url, 'gd_admin');
  await page.goto(`${server.url}/admin/tasks`);
  await $('task-table').locator('.el-table__row').first().waitFor();
  await $('task-dispatch').click();
  await $('dispatch-form').click();
  await chooseOption(page, '村（居）便民服务月报');
  await $('dispatch-period').locator('input').fill('2022-09');
  await $('dispatch-period').locator('input').press('Enter');
  await $('dispatch-root').click();
  await page.keyboard.type('440802001');
  await chooseOption(page, /中华街道\s*440802001 ·/);
  await $('dispatch-level').click();
  await chooseOption(page, '村级');
  await $('dispatch-summary').filter({ hasText: '中华街道 下全部 村级单位' }).waitFor();

  // 月后18日 of 2022-09 is long past: the form says so and will not send it.
  await $('dispatch-deadline-item').locator('.el-form-item__error', { hasText: '早于今天' }).waitFor();
  assert.equal(await $('dispatch-submit').isDisabled(), true, '派发 waits for a deadline from today on');

  const due = beijingDate(20);
  await $('dispatch-deadline-date').click();
  await $('dispatch-deadline').locator('input').fill(due);
  await $('dispatch-deadline').locator('input').press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-test="dispatch-deadline-item"] .el-form-item__error'));
  await $('dispatch-submit').click();

  const refusal = $('dispatch-overlap');
  await refusal.waitFor();
  const text = await refusal.innerText();
  assert.ok(text.includes(`《${existing.title}》（任务 ${existing.id}）`), text);
  assert.match(text, /一事一报/);
  await refusal.locator(`[data-task="${existing.id}"] [data-test=dispatch-extend]`).waitFor();
  await refusal.locator(`[data-task="${existing.id}"] [data-test=dispatch-replace]`).waitFor();
  await refusal.scrollIntoViewIfNeeded();
  await screenshot(page, '18-管理-重复派发');

  const after = (await admin.get('/api/tasks')).body.tasks;
  assert.equal(after.length, before.length, 'no task was created');
  assert.deepEqual(after.filter((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09').map((t) => t.id),
    [existing.id]);
  const task = after.find((t) => t.id === existing.id);
  assert.equal(task.state, 'open');
  assert.equal(task.assigned, existing.assigned);

  // 「取代该任务」 asks first; declining it changes nothing.
  await refusal.locator('[data-test=dispatch-replace]').click();
  await messageBox(page).locator('.el-message-box__message', { hasText: `取代《${existing.title}》` }).waitFor();
  await boxButton(page, '不取代').click();
  await messageBox(page).waitFor({ state: 'hidden' });
  assert.equal((await admin.get('/api/tasks')).body.tasks.length, before.length);
  assert.equal((await admin.get(`/api/tasks/${existing.id}/status`)).body.task.state, 'open');

  // 「并入该任务」 adds the units to the open task (here all are in it already)
  // and shows that task: still no new one.
  await refusal.locator('[data-test=dispatch-extend]').click();
  await page.locator(`[data-test=task-status][data-task="${existing.id}"]`).waitFor();
  const merged = (await admin.get('/api/tasks')).body.tasks;
  assert.equal(merged.length, before.length);
  assert.equal(merged.find((t) => t.id === existing.id).assigned, existing.assigned);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a task is extended for ticked units and as a whole, a unit is taken out and the task cancelled after a prompt', async () => {
  const created = await admin.post('/api/tasks', { form: 'TOWN_MONTHLY', period: '2022-10',
    orgUnits: { root: '4408', level: 4 }, deadline: beijingDate(10), title: '湛江镇街月报（演练）' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;

  const page = await openPage(browser);
  const $ = by(page);
  await signIn(page, server.url, 'gd_admin');
  await page.goto(`${server.url}/admin/tasks`);
  await $(`task-status-${id}`).click();
  const card = $('task-status');
  await card.locator('text=湛江镇街月报（演练）').waitFor();
  const entries = $('task-entries');
  const row = (name) => entries.locator('.el-table__row', { hasText: name });

  // Two towns get more time.
  const unitDue = beijingDate(25);
  for (const name of ['中华街道', '寸金街道']) await row(name).locator('.el-checkbox').click();
  await $('task-extend').click();
  const dialog = $('extend-dialog');
  await dialog.locator('[data-test=extend-scope-units]', { hasText: '勾选的 2 个单位' }).waitFor();
  await $('extend-date').locator('input').fill(unitDue);
  await $('extend-date').locator('input').press('Enter');
  await $('extend-submit').click();
  await dialog.waitFor({ state: 'hidden' });
  await row('中华街道').locator(`[data-test="entry-due-${TOWN}"]`, { hasText: unitDue }).waitFor();
  let status = (await admin.get(`/api/tasks/${id}/status`)).body;
  const dueOf = (code) => status.entries.find((e) => e.orgUnit === code).dueDate;
  assert.equal(dueOf(TOWN), unitDue);
  assert.equal(status.entries.filter((e) => e.dueDate === unitDue).length, 2);
  assert.equal(status.task.dueDate, beijingDate(10));

  // The whole task: a date not later than today's deadline cannot be picked,
  // a later one is taken.
  const taskDue = beijingDate(15);
  await $('task-extend').click();
  await dialog.locator('[data-test=extend-scope-task]').click();
  await $('extend-date').locator('input').fill(taskDue);
  await $('extend-date').locator('input').press('Enter');
  await $('extend-submit').click();
  await dialog.waitFor({ state: 'hidden' });
  await $('task-due').filter({ hasText: `截止 ${taskDue}` }).waitFor();
  status = (await admin.get(`/api/tasks/${id}/status`)).body;
  assert.equal(status.task.dueDate, taskDue);
  assert.equal(dueOf(TOWN), unitDue, 'a unit extended further keeps its own date');

  // 移出 one town, with a reason.
  await row('南桥街道').locator('[data-test^=withdraw-]').click();
  await page.locator('textarea[data-test=reason-input]:visible').fill('该街道本月不参加统计');
  await page.locator('[data-test=reason-confirm]:visible').click();
  await row('南桥街道').locator('text=已移出').waitFor();
  status = (await admin.get(`/api/tasks/${id}/status`)).body;
  assert.equal(status.entries.find((e) => e.name === '南桥街道').status, 'withdrawn');

  // 撤销任务: reason, then a prompt; declining it keeps the task open.
  await $('task-cancel').click();
  await page.locator('textarea[data-test=reason-input]:visible').fill('期别下错，改为重新下发');
  await page.locator('[data-test=reason-confirm]:visible').click();
  const box = messageBox(page);
  await box.locator('.el-message-box__message', { hasText: '撤销后不能恢复' }).waitFor();
  assert.match(await box.innerText(), new RegExp(`湛江镇街月报（演练）》（任务 ${id}）`));
  await boxButton(page, '不撤销').click();
  await box.waitFor({ state: 'hidden' });
  assert.equal((await admin.get(`/api/tasks/${id}/status`)).body.task.state, 'open');
  await page.locator('[data-test=reason-confirm]:visible').click();
  await boxButton(page, '撤销任务').click();
  await $('task-cancel-reason').filter({ hasText: '任务已撤销：期别下错，改为重新下发' }).waitFor();
  assert.equal(await $('task-cancel').count(), 0, 'a cancelled task offers no more steps');
  await $(`task-state-${id}`).waitFor();
  await screenshot(page, '19-管理-撤销任务');
  status = (await admin.get(`/api/tasks/${id}/status`)).body;
  assert.equal(status.task.state, 'cancelled');
  assert.equal(status.task.cancelReason, '期别下错，改为重新下发');
  assert.equal(status.task.cancelledBy, 'gd_admin');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // The town's filler sees it as 已撤销, without a countdown, its entry read-only.
  const town = await openPage(browser);
  await signIn(town, server.url, 'zh_filler');
  const taskCard = town.locator(`[data-test=task-card][data-task="${id}"]`);
  await taskCard.locator('[data-test=task-status]', { hasText: '已撤销' }).waitFor();
  assert.match(await taskCard.locator('[data-test=cancel-reason]').innerText(), /期别下错/);
  assert.equal(await taskCard.locator('[data-test=deadline]').count(), 0);
  assert.equal(await taskCard.locator('[data-test=task-action]').innerText(), '查看');
  await taskCard.locator('[data-test=task-action]').click();
  await town.locator('[data-test=entry-cancelled]', { hasText: '任务已撤销' }).waitFor();
  assert.equal(await town.locator('[data-test=submit]').count(), 0);
  assert.equal(await town.locator('input[data-test^="field-"]').count(), 0);
  assert.deepEqual(town.problems, []);
  await town.context().close();
});

test('a filler submits after confirming, asks to take the entry back, the town approver grants it and the entry is editable again', async () => {
  const filler = await login(server.url, 'cun_filler');
  const task = (await filler.get('/api/tasks')).body.tasks.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-09');
  const api = `/api/tasks/${task.id}/entries/${VILLAGE}`;
  // Last month's figures again: nothing unusual, so no 说明 is asked for.
  const entry = (await filler.get(api)).body;
  const values = {};
  for (const f of entry.sections.flatMap((s) => s.fields)) if (!f.derived) values[f.code] = f.previous;
  const put = await filler.put(api, { version: entry.version, values });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  const page = await openPage(browser);
  const $ = by(page);
  await signIn(page, server.url, 'cun_filler');
  await page.goto(`${server.url}/tasks/${task.id}/entries/${VILLAGE}`);
  await $('field-VIL_AGENT_CASES').waitFor();
  await $('submit').click();
  const box = messageBox(page);
  await box.locator('.el-message-box__message', { hasText: '确定提交' }).waitFor();
  await boxButton(page, '再看看').click();
  await box.waitFor({ state: 'hidden' });
  assert.equal((await filler.get(api)).body.status, 'draft', 'declining the prompt submits nothing');
  await $('submit').click();
  await boxButton(page, '提交').click();
  await $('entry-status').filter({ hasText: '已提交' }).waitFor();

  await $('recall').click();
  await page.locator('textarea[data-test=reason-input]:visible').fill('代办件数多填了一位');
  await page.locator('[data-test=reason-confirm]:visible').click();
  await $('recall-pending').filter({ hasText: '等待审核员处理' }).waitFor();
  assert.match(await $('recall-pending').innerText(), /代办件数多填了一位/);
  assert.equal(await $('recall').count(), 0, 'asked once');
  let stored = (await filler.get(api)).body;
  assert.equal(stored.status, 'submitted');
  assert.equal(stored.recallReason, '代办件数多填了一位');
  assert.ok(stored.recallRequestedAt);
  assert.deepEqual(page.problems, []);

  // 中华街道's approver sees the request in 审核 and grants it.
  const approver = await openPage(browser);
  await signIn(approver, server.url, 'zh_approver');
  await approver.goto(`${server.url}/review?task=${task.id}`);
  await approver.locator(`[data-test="recall-${VILLAGE}"]`).waitFor();
  await approver.locator(`[data-test="open-${VILLAGE}"]`).click();
  const drawer = approver.locator('[data-test=review-drawer]');
  await drawer.locator('[data-test=drawer-recall]', { hasText: '代办件数多填了一位' }).waitFor();
  assert.equal(await drawer.locator('[data-test=drawer-approve]').count(), 0, 'no approval while a recall is pending');
  await screenshot(approver, '06-审核-撤回申请');
  await drawer.locator('[data-test=drawer-recall-grant]').click();
  await drawer.locator('[data-test=drawer-status]', { hasText: '草稿' }).waitFor();
  assert.deepEqual(approver.problems, []);
  await approver.context().close();

  stored = (await filler.get(api)).body;
  assert.equal(stored.status, 'draft');
  assert.equal(stored.recallRequestedAt, null);
  assert.equal(stored.permissions.edit, true);

  // Back on the filler's page: the boxes are there again and take a change.
  await page.reload();
  await $('field-VIL_AGENT_CASES').fill(String(values.VIL_AGENT_CASES - 1));
  await page.locator('[data-test=save-state]', { hasText: /已保存 \d{2}:\d{2}/ }).waitFor();
  assert.equal((await filler.get(api)).body.values.VIL_AGENT_CASES, values.VIL_AGENT_CASES - 1);
  assert.match(await $('entry-status').innerText(), /草稿/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
