// 管理 in the browser: an administrator defines an indicator with the formula
// checked as they type, builds a form by dragging indicators, dispatches a
// task to the towns of a city (a deadline in the past is refused in the
// dialog) and sees its completeness and 催报 count, or to villages ticked in
// the unit tree, writes a validation rule, browses units and adds a
// department, creates a user and finds it in the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { launchBrowser, openPage, signIn, screenshot, PHONE } from './browser.mjs';

let dir, server, browser, page, api;

// A date `days` after today in Beijing, as deadlines are written.
function beijingDate(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  browser = await launchBrowser();
  page = await openPage(browser);
  await signIn(page, server.url, 'gd_admin');
  await page.waitForLoadState('networkidle');  // the landing page's requests finish before we leave it
  api = await login(server.url, 'gd_admin');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

const $ = (test) => page.locator(`[data-test="${test}"]`);

// Picks an option of the open Element Plus select by its visible text.
async function chooseOption(text) {
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

test('an indicator formula is checked while typing and saved once fixed', async () => {
  await page.goto(`${server.url}/admin/indicators`);
  await $('indicator-table').locator('text=HOTLINE_RATE').waitFor();
  await $('indicator-new').click();
  await $('ind-code').fill('ZW_OFFLINE_CASES');
  await $('ind-name').fill('线下办件量');
  await $('ind-unit').fill('件');
  await $('ind-formula').fill('ZW_CASES - ZW_ONLINE_CASE');
  const state = $('ind-formula-state');
  await page.waitForFunction(() => /不存在的指标 ZW_ONLINE_CASE/.test(
    document.querySelector('[data-test="ind-formula-state"]')?.textContent || ''));
  assert.equal(await $('ind-save').isDisabled(), true, 'saving waits for a correct formula');
  await $('ind-formula').fill('ZW_CASES - (ZW_ONLINE_CASES');
  await page.waitForFunction(() => /缺少右括号/.test(
    document.querySelector('[data-test="ind-formula-state"]')?.textContent || ''));
  await screenshot(page, '10-管理-指标');
  await $('ind-formula').fill('ZW_CASES - ');
  // The picker inserts a code at the cursor.
  await $('ind-formula-picker').click();
  await page.keyboard.type('ZW_ONLINE_CASES');
  await chooseOption('ZW_ONLINE_CASES');
  assert.equal(await $('ind-formula').inputValue(), 'ZW_CASES - ZW_ONLINE_CASES');
  await page.waitForFunction(() => /公式正确/.test(
    document.querySelector('[data-test="ind-formula-state"]')?.textContent || ''));
  assert.match(await state.innerText(), /公式正确/);
  await $('ind-save').click();
  await $('indicator-table').locator('text=ZW_OFFLINE_CASES').waitFor();
  const saved = await api.get('/api/indicators/ZW_OFFLINE_CASES');
  assert.equal(saved.status, 200);
  assert.equal(saved.body.formula, 'ZW_CASES - ZW_ONLINE_CASES');
  assert.equal(saved.body.derived, true);

  // An indicator used by a form cannot be deleted; the server's reason is shown.
  await $('indicator-delete-ZW_CASES').click();
  await page.locator('.el-message-box__btns button', { hasText: '删除' }).click();
  const refusal = page.locator('.el-message-box__message');
  await refusal.filter({ hasText: '仍在报表' }).waitFor();
  await page.locator('.el-message-box__btns button', { hasText: '知道了' }).click();
  assert.equal((await api.get('/api/indicators/ZW_CASES')).status, 200);
  assert.deepEqual(page.problems, []);
});

test('a validation rule is checked on each side while typing and saved', async () => {
  await page.goto(`${server.url}/admin/rules`);
  await $('rule-table').locator('text=R_ZW_ONLINE_LE_CASES').waitFor();
  await $('rule-new').click();
  await $('rule-code').fill('R_ZW_OFFLINE_LE_CASES');
  await $('rule-name').fill('线下办件不超过办件量');
  await $('rule-left').fill('ZW_OFFLINE_CASES');
  await $('rule-right').fill('ZW_CASE * 1.0');
  await page.waitForFunction(() => /不存在的指标 ZW_CASE\b/.test(
    document.querySelector('[data-test="rule-right-state"]')?.textContent || ''));
  assert.match(await $('rule-left-state').innerText(), /公式正确/);
  assert.equal(await $('rule-save').isDisabled(), true);
  await $('rule-right').fill('ZW_CASES');
  await page.waitForFunction(() => /公式正确/.test(
    document.querySelector('[data-test="rule-right-state"]')?.textContent || ''));
  await $('rule-dialog').locator('label', { hasText: '提示（填写说明后可提交）' }).click();
  await $('rule-message').fill('线下办件量大于办件量，请核实');
  await $('rule-save').click();
  const row = $('rule-table').locator('.el-table__row', { hasText: 'R_ZW_OFFLINE_LE_CASES' });
  await row.locator('text=提示').waitFor();
  const saved = (await api.get('/api/validation-rules/R_ZW_OFFLINE_LE_CASES')).body;
  assert.deepEqual([saved.left, saved.operator, saved.right, saved.severity], ['ZW_OFFLINE_CASES', '<=', 'ZW_CASES', 'warning']);
  assert.deepEqual(page.problems, []);
});

test('a form is built by dragging indicators into a section and reordering them', async () => {
  await page.goto(`${server.url}/admin/forms`);
  await $('form-table').locator('text=TOWN_MONTHLY').waitFor();
  await $('form-new').click();
  await $('form-code').fill('TOWN_QUARTERLY');
  await $('form-name').fill('镇街政务服务季报');
  await $('form-period-type').click();
  await chooseOption('季报');
  await $('form-levels').locator('label', { hasText: '镇' }).click();
  await $('section-title-0').fill('办件');
  await $('lib-ZW_CASES').dragTo($('section-0'));
  await $('lib-ZW_ONLINE_CASES').dragTo($('section-0'));
  await $('lib-ZW_OFFLINE_CASES').dragTo($('section-0'));
  // Reorder inside the section: drop the last one on the first.
  await $('field-ZW_OFFLINE_CASES').dragTo($('field-ZW_CASES'));
  const order = await $('section-fields-0').locator('li[data-test^=field-]').evaluateAll(
    (items) => items.map((li) => li.dataset.test.slice('field-'.length)));
  assert.deepEqual(order, ['ZW_OFFLINE_CASES', 'ZW_CASES', 'ZW_ONLINE_CASES']);
  // The keyboard/click way: a second section gets an indicator with a button.
  await $('section-add').click();
  await $('section-title-1').fill('网办');
  await $('add-ZW_ONLINE_RATE').click();
  // The rule over ZW_ONLINE_CASES and ZW_CASES now applies to the form.
  await $('form-rules').locator('text=网上办件量不能大于政务服务办件量').waitFor();
  await $('form-rules').locator('text=线下办件量大于办件量，请核实').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, '11-管理-报表');
  await $('form-save').click();
  await page.locator('.el-message--success').waitFor();
  const saved = await api.get('/api/forms/TOWN_QUARTERLY');
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.periodType, 'quarter');
  assert.deepEqual(saved.body.levels, [4]);
  assert.deepEqual(saved.body.sections.map((s) => [s.title, s.indicators]),
    [['办件', ['ZW_OFFLINE_CASES', 'ZW_CASES', 'ZW_ONLINE_CASES']], ['网办', ['ZW_ONLINE_RATE']]]);
  assert.deepEqual(page.problems, []);
});

test('a task is dispatched to the towns of a city with a deadline from today on, completeness and 催报 are shown; units can be ticked in the tree', async () => {
  await page.goto(`${server.url}/admin/tasks`);
  await $('task-table').locator('.el-table__row').first().waitFor();
  await $('task-dispatch').click();
  await $('dispatch-form').click();
  await chooseOption('镇街政务服务月报');
  await $('dispatch-period').locator('input').fill('2022-10');
  await $('dispatch-period').locator('input').press('Enter');
  await $('dispatch-root').click();
  await page.keyboard.type('湛江');
  await chooseOption('湛江市');
  // 月后18日 of 2022-10 (2022-11-18) is past: refused in the dialog, 派发 waits.
  await $('dispatch-due').filter({ hasText: '即 2022-11-18' }).waitFor();
  await $('dispatch-deadline-item').locator('.el-form-item__error', { hasText: '早于今天' }).waitFor();
  assert.equal(await $('dispatch-submit').isDisabled(), true);
  const due = beijingDate(30);
  await $('dispatch-deadline-date').click();
  await $('dispatch-deadline').locator('input').fill(due);
  await $('dispatch-deadline').locator('input').press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-test="dispatch-deadline-item"] .el-form-item__error'));
  // A level the form is not filled at: the server's wrong_level message is shown.
  await $('dispatch-level').click();
  await chooseOption('县级');
  await $('dispatch-summary').filter({ hasText: '湛江市 下全部 县级单位' }).waitFor();
  await $('dispatch-submit').click();
  await $('dispatch-error').filter({ hasText: '不是报表“镇街政务服务月报”的填报层级' }).waitFor();
  await $('dispatch-level').click();
  await chooseOption('镇级');
  await $('dispatch-submit').click();
  const status = $('task-status');
  await status.locator('text=2022年10月').waitFor();
  const tasks = (await api.get('/api/tasks')).body.tasks;
  const task = tasks.find((t) => t.form === 'TOWN_MONTHLY' && t.period === '2022-10');
  assert.ok(task, 'task created');
  assert.equal(task.dueDate, due);
  assert.ok(task.assigned > 10, `towns of 湛江: ${task.assigned}`);
  // One town submits so the bars are not all empty.
  const town = await login(server.url, 'zh_filler');
  const entry = await town.get(`/api/tasks/${task.id}/entries/440802001`);
  const put = await town.put(`/api/tasks/${task.id}/entries/440802001`,
    { version: entry.body.version, values: { ZW_CASES: 120, ZW_ONLINE_CASES: 90 } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const submit = await town.post(`/api/tasks/${task.id}/entries/440802001/submit`, {});
  assert.equal(submit.status, 200, JSON.stringify(submit.body));
  await page.reload();
  await $(`task-status-${task.id}`).click();
  const regions = $('task-regions');
  const chikan = regions.locator('.el-table__row', { hasText: '赤坎区' });
  await chikan.waitFor();
  const rate = (await chikan.locator('.el-progress__text').first().innerText()).trim();
  assert.match(rate, /^\d+%$/);
  assert.notEqual(rate, '0%');
  await $('task-entries').locator('.el-table__row', { hasText: '中华街道' }).locator('text=已提交').waitFor();
  // 催报 to many units asks first, saying how many.
  await $('task-remind').click();
  await page.locator('.el-message-box__message', { hasText: `将向 ${task.assigned - 1} 个未报单位发送催报通知` }).waitFor();
  await page.locator('.el-message-box__btns button', { hasText: '催报' }).click();
  const result = $('remind-result');
  await result.waitFor();
  assert.match(await result.innerText(), new RegExp(`已向 ${task.assigned - 1} 个未报单位发送催报通知`));
  await screenshot(page, '12-管理-任务');

  // Units picked in the tree: two villages of 中华街道.
  await $('task-dispatch').click();
  await $('dispatch-form').click();
  await chooseOption('村（居）便民服务月报');
  await $('dispatch-period').locator('input').fill('2022-10');
  await $('dispatch-period').locator('input').press('Enter');
  await $('dispatch-mode-pick').click();
  const tree = $('dispatch-tree');
  for (const code of ['44', '4408', '440802', '440802001']) {
    await tree.locator(`[data-code="${code}"]`).waitFor();
    await tree.locator('.el-tree-node__content', { has: page.locator(`[data-code="${code}"]`) })
      .locator('.el-tree-node__expand-icon').click();
  }
  for (const code of ['440802001001', '440802001002']) {
    await tree.locator('.el-tree-node__content', { has: page.locator(`[data-code="${code}"]`) })
      .locator('.el-checkbox').click();
  }
  const villageDue = beijingDate(40);
  await $('dispatch-deadline-date').click();
  await $('dispatch-deadline').locator('input').fill(villageDue);
  await $('dispatch-deadline').locator('input').press('Enter');
  await $('dispatch-submit').click();
  await status.locator('text=村（居）便民服务月报（2022年10月）').waitFor();
  const villages = (await api.get('/api/tasks')).body.tasks.find((t) => t.form === 'VILLAGE_MONTHLY' && t.period === '2022-10');
  assert.equal(villages.assigned, 2);
  assert.equal(villages.dueDate, villageDue);
  assert.deepEqual(page.problems, []);
});

test('the unit tree opens lazily and a department is added', async () => {
  await page.goto(`${server.url}/admin/orgunits`);
  const tree = $('orgunit-tree');
  await tree.locator('text=广东省').waitFor();
  await tree.locator('.el-tree-node__expand-icon').first().click();
  await tree.locator('[data-code="4408"]').click();
  const detail = $('orgunit-detail');
  await detail.locator('h3', { hasText: '湛江市' }).waitFor();
  await detail.locator('text=赤坎区').first().waitFor();
  await $('department-add').click();
  await $('department-code').fill('4408_TJJ');
  await $('department-name').fill('湛江市统计局');
  await $('department-save').click();
  await detail.locator('.child', { hasText: '湛江市统计局' }).waitFor();
  const created = await api.get('/api/orgunits/4408_TJJ');
  assert.equal(created.status, 200);
  assert.equal(created.body.kind, 'department');
  assert.equal(created.body.parent, '4408');
  // Search finds units by name.
  await $('orgunit-search').fill('赤坎');
  await $('orgunit-results').locator('li', { hasText: '赤坎区' }).first().click();
  await detail.locator('h3', { hasText: '赤坎区' }).waitFor();
  await $('orgunit-search').fill('');
  await screenshot(page, '13-管理-单位');
  assert.deepEqual(page.problems, []);
});

test('a user is created with a temporary password and the action is in the audit log', async () => {
  await page.goto(`${server.url}/admin/users`);
  await $('user-table').locator('text=gd_admin').waitFor();
  await $('user-new').click();
  await $('user-username').fill('zj_tongji');
  await $('user-displayname').fill('湛江统计员');
  await $('user-orgunit').click();
  await page.keyboard.type('湛江');
  await chooseOption('湛江市');
  await $('user-role-filler').click();
  await $('user-role-viewer').click();
  await $('user-save').click();
  const secret = $('secret-value');
  await secret.waitFor();
  const temporary = (await secret.innerText()).trim();
  assert.ok(temporary.length >= 8, temporary);
  await screenshot(page, '14-管理-用户');
  await $('secret-close').click();
  await $('user-table').locator('.el-table__row', { hasText: 'zj_tongji' }).locator('text=待改密').waitFor();
  // The temporary password works (and must be changed).
  const fresh = await login(server.url, 'zj_tongji', temporary);
  assert.equal(fresh.mustChangePassword, true);
  const user = (await api.get('/api/users/zj_tongji')).body;
  assert.deepEqual([...user.roles].sort(), ['filler', 'viewer']);
  // Filtered by unit; then the account is disabled and its password reset.
  await $('user-unit-filter').click();
  await page.keyboard.type('湛江');
  await chooseOption('湛江市');
  // 湛江市 and the units below it: no provincial accounts.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=user-table] .el-table__row')];
    return rows.some((tr) => tr.textContent.includes('zj_tongji')) && !rows.some((tr) => tr.textContent.includes('gd_admin'));
  });
  await $('user-edit-zj_tongji').click();
  await $('user-disabled').click();
  await $('user-save').click();
  await $('user-table').locator('.el-table__row', { hasText: 'zj_tongji' }).locator('text=已停用').waitFor();
  assert.equal((await api.get('/api/users/zj_tongji')).body.disabled, true);
  await $('user-reset-zj_tongji').click();
  await page.locator('.el-message-box__btns button', { hasText: '重置' }).click();
  await $('secret-value').waitFor();
  assert.notEqual((await $('secret-value').innerText()).trim(), temporary);
  await $('secret-close').click();

  await page.goto(`${server.url}/admin/audit`);
  await $('audit-table').locator('.el-table__row').first().waitFor();
  await $('audit-user').fill('gd_admin');
  await $('audit-action').click();
  await page.keyboard.type('user.');
  await chooseOption('用户管理');
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/audit?') && r.url().includes('action=user.')),
    $('audit-search').click(),
  ]);
  const row = $('audit-table').locator('.el-table__row', { hasText: 'user.create' });
  await row.locator('text=user:zj_tongji').waitFor();
  assert.equal(await $('audit-table').locator('.el-table__row', { hasText: 'login' }).count(), 0);
  await screenshot(page, '15-审计日志');
  assert.deepEqual(page.problems, []);
});

test('every 管理 page fits a 390×844 phone screen', async () => {
  const phone = await openPage(browser, PHONE);
  await signIn(phone, server.url, 'zj_admin');
  await phone.waitForLoadState('networkidle');
  for (const [path, ready] of [['indicators', 'indicator-table'], ['forms', 'form-table'], ['rules', 'rule-table'],
    ['tasks', 'task-table'], ['orgunits', 'orgunit-tree'], ['users', 'user-table'], ['audit', 'audit-table']]) {
    await phone.goto(`${server.url}/admin/${path}`);
    await phone.locator(`[data-test="${ready}"]`).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.equal(overflow, 0, `/admin/${path} overflows by ${overflow}px`);
  }
  assert.deepEqual(phone.problems, []);
  await phone.context().close();
});
