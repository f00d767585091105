// 通讯录 and 账号与安全 in the browser: search with tel: links for an
// administrator and masked numbers for a viewer, XLSX export and an import
// that reports bad rows, adding a contact; live password rules, API tokens
// shown once and revoked, TOTP setup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tempDir, demoDatabase, startServer, login, tokenClient, totp } from '../api/helpers.mjs';
import { makeXlsx } from '../api/xlsx.mjs';
import { launchBrowser, openPage, screenshot, demoPassword, PHONE } from './browser.mjs';

let dir, server, browser;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

const by = (page) => (name) => page.locator(`[data-test="${name}"]`);

// Signs in through the login page straight to `path`, so no other page's
// requests are in flight or cut off on the way.
async function signInTo(page, username, path) {
  await page.goto(`${server.url}/login?redirect=${encodeURIComponent(path)}`);
  await page.locator('[data-test=username]').fill(username);
  await page.locator('[data-test=password]').fill(demoPassword);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((url) => url.pathname === path);
}

test('an administrator searches, exports, imports with row conflicts and adds a contact', async () => {
  const page = await openPage(browser);
  const $ = by(page);
  await signInTo(page, 'zj_admin', '/contacts');
  const table = $('contacts-table');
  await table.locator('.el-table__row').first().waitFor();
  await $('contacts-search').fill('赤坎');
  await table.locator('.el-table__row', { hasText: '郑丽华' }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=contacts-table] .el-table__row')]
    .every((tr) => tr.textContent.includes('赤坎')));
  const tel = table.locator('.el-table__row', { hasText: '郑丽华' }).locator('a[href^="tel:"]').first();
  assert.equal(await tel.getAttribute('href'), 'tel:13700000001');
  assert.equal(await $('contacts-masked').count(), 0);

  const [download] = await Promise.all([page.waitForEvent('download'), $('contacts-export').click()]);
  assert.equal(download.suggestedFilename(), '通讯录.xlsx');
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');

  const header = ['单位代码', '单位名称', '姓名', '职务', '手机', '办公电话', '电子邮箱', '备注'];
  const file = makeXlsx([header,
    ['440802', '赤坎区', '王小明', '联络员', '13700001234', '', '', ''],
    ['440802', '赤坎区', '赵坏号', '联络员', '12345', '', '', '']]);
  await $('contacts-file').setInputFiles({ name: '联系人.xlsx', buffer: Buffer.from(file),
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const result = $('import-result');
  await result.waitFor();
  assert.match(await result.innerText(), /新增 1 人/);
  assert.match(await result.innerText(), /第 3 行：.*手机/);

  await $('contact-new').click();
  await $('contact-name').fill('孙联络');
  await $('contact-title').fill('联络员');
  await $('contact-mobile').fill('139 0759 0001');
  await $('contact-save').click();
  await $('contacts-search').fill('孙联络');
  await table.locator('.el-table__row', { hasText: '孙联络' }).locator('a[href="tel:13907590001"]').waitFor();
  await $('contacts-search').fill('');
  await table.locator('.el-table__row', { hasText: '王小明' }).waitFor();
  await screenshot(page, '16-通讯录');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer sees masked numbers without links, also on a phone', async () => {
  const page = await openPage(browser, PHONE);
  const $ = by(page);
  await signInTo(page, 'zj_viewer', '/contacts');
  await $('contacts-masked').waitFor();
  const rows = $('contacts-table').locator('.el-table__row');
  await rows.first().waitFor();
  assert.match(await rows.first().innerText(), /\d{3}\*{4}\d{4}/);
  assert.equal(await $('contacts-table').locator('a[href^="tel:"]').count(), 0);
  assert.equal(await $('contact-new').count(), 0, 'viewers cannot add');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('password rules show live; a token is shown once, works, and is revoked; TOTP is turned on with a code', async () => {
  const page = await openPage(browser);
  const $ = by(page);
  await signInTo(page, 'ck_approver', '/account');
  await $('pw-old').fill('Demo@2022');
  await $('pw-new').fill('abc');
  const rules = $('pw-rules').locator('li');
  assert.equal(await rules.filter({ hasText: '✓' }).count(), 1, 'only 不能与用户名相同 holds');
  assert.equal(await $('pw-submit').isDisabled(), true);
  await $('pw-new').fill('Stronger#2026');
  assert.equal(await rules.filter({ hasText: '✓' }).count(), 3);
  await $('pw-new2').fill('Stronger#2026');
  await $('pw-submit').click();
  await page.locator('.el-message--success', { hasText: '密码已修改' }).waitFor();
  await login(server.url, 'ck_approver', 'Stronger#2026');

  await $('token-name').fill('区统计对接');
  await $('token-create').click();
  const secret = $('secret-value');
  await secret.waitFor();
  const token = (await secret.innerText()).trim();
  assert.match(token, /^tb_[0-9a-f]{64}$/);
  await $('secret-close').click();
  const program = tokenClient(server.url, token);
  assert.equal((await program.get('/api/tasks')).status, 200);
  // After a reload the list shows the last use, never the token itself.
  await page.reload();
  const row = $('token-table').locator('.el-table__row', { hasText: '区统计对接' });
  await row.locator('text=有效').waitFor();
  assert.doesNotMatch(await row.innerText(), /从未使用/);
  assert.equal(await page.locator(`text=${token}`).count(), 0, 'the token is not shown again');

  await $('totp-setup').click();
  await $('totp-secret').waitFor();
  const url = new URL(await $('totp-url').getAttribute('href'));
  assert.equal(url.protocol, 'otpauth:');
  const secretText = url.searchParams.get('secret');
  assert.equal((await $('totp-secret').innerText()).replace(/\s/g, ''), secretText);
  await screenshot(page, '17-账号与安全');
  await $('totp-code').fill('000000' === totp(secretText) ? '111111' : '000000');
  await $('totp-enable').click();
  await page.locator('[data-test=account-totp] .error').waitFor();
  await $('totp-code').fill(totp(secretText));
  await $('totp-enable').click();
  await $('totp-enabled').waitFor();
  await assert.rejects(login(server.url, 'ck_approver', 'Stronger#2026'), (e) => e.body?.error?.code === 'totp_required');

  await row.locator('[data-test^=token-revoke-]').click();
  await page.locator('.el-message-box__btns button', { hasText: '撤销' }).click();
  await row.locator('text=已撤销').waitFor();
  assert.equal((await program.get('/api/tasks')).status, 401);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
