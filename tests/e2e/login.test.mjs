// Signing in through the browser: wrong password, a filler's landing page,
// the forced password change of a new account, and the phone layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from '../api/helpers.mjs';
import { launchBrowser, openPage, signIn, screenshot, PHONE } from './browser.mjs';

let dir, server, browser;

before(async () => {
  dir = tempDir();
  const db = demoDatabase(dir.path);
  server = await startServer(db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  dir?.remove();
});

test('a wrong password is refused with a message in 中文 and no console errors', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/login/);
  await screenshot(page, '01-登录');
  await page.locator('[data-test=username]').fill('cun_filler');
  await page.locator('[data-test=password]').fill('wrong-password');
  await page.locator('[data-test=login-submit]').click();
  const error = page.locator('[data-test=login-error]');
  await error.waitFor();
  assert.match(await error.innerText(), /用户名或密码/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a filler lands on 我的任务 and can sign out', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'cun_filler');
  assert.equal(new URL(page.url()).pathname, '/tasks');
  await page.locator('[data-test=user-menu]').click();
  await page.locator('[data-test=logout]').click();
  await page.waitForURL(/\/login/);
  const me = await page.evaluate(async () => (await fetch('/api/me')).status);
  assert.equal(me, 401);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a new account must set a password that meets the rules before going on', async () => {
  // An administrator creates the account through the API, as the 管理 page does.
  const admin = await login(server.url, 'gd_admin');
  const created = await admin.post('/api/users', { username: 'new_filler', displayName: '新填表员',
    orgUnit: '4408', roles: ['filler'], password: 'Start@2026x' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const page = await openPage(browser);
  await page.goto(`${server.url}/login`);
  await page.locator('[data-test=username]').fill('new_filler');
  await page.locator('[data-test=password]').fill('Start@2026x');
  await page.locator('[data-test=login-submit]').click();
  await page.locator('[data-test=change-form]').waitFor();
  await page.locator('[data-test=new-password]').fill('short');
  assert.equal(await page.locator('[data-test=change-submit]').isDisabled(), true);
  await page.locator('[data-test=new-password]').fill('Better@2026');
  await page.locator('[data-test=new-password2]').fill('Better@2026');
  await page.locator('[data-test=change-submit]').click();
  await page.waitForURL(/\/tasks/);
  const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()).mustChangePassword);
  assert.equal(me, false);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the login page fits a 390×844 phone screen', async () => {
  const page = await openPage(browser, PHONE);
  await page.goto(`${server.url}/login`);
  const box = await page.locator('.login-card').boundingBox();
  assert.ok(box.width <= 390 && box.x >= 0, `card ${JSON.stringify(box)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  await signIn(page, server.url, 'cun_filler');
  assert.equal(new URL(page.url()).pathname, '/tasks');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
