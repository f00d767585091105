// Shared helpers for the end-to-end tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), pages that record console
// errors, and screenshots for the user guide.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, demoPassword } from '../api/helpers.mjs';

export { demoPassword };
export const chromiumPath = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'docs', 'screenshots');

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--no-first-run', '--lang=zh-CN'],
  });
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
export const BIG_SCREEN = { width: 1920, height: 1080 };

// Chromium logs every 4xx answer as a console error. 400 (a figure refused
// with its message), 401 (not signed in, wrong password) and 409 (a stale
// version) are answers the app expects and shows to the user; anything else
// (404 for an asset, 403, 5xx, script errors) is a problem.
const EXPECTED_ANSWER = /Failed to load resource: the server responded with a status of (400|401|409)\b/;

// A fresh browser context (own cookies) and page. Every console error and
// uncaught page error is collected in page.problems; tests assert it stays
// empty.
export async function openPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !EXPECTED_ANSWER.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  // Generous: on a loaded machine a page can take long to appear, and a wait
  // that gives up early fails a test that would pass; waits are for what the
  // user sees, never for a fixed time.
  page.setDefaultTimeout(Number(process.env.E2E_TIMEOUT_MS || 90000));
  return page;
}

// Signs in through the login page as a user would.
export async function signIn(page, base, username, password = demoPassword) {
  await page.goto(`${base}/login`);
  await page.locator('[data-test=username]').fill(username);
  await page.locator('[data-test=password]').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

// Waits until what is on screen stops moving: every chart has finished
// drawing (data-drawn, set by web/src/charts.js) and every CSS animation or
// transition that is running (Element Plus fades tags and alerts in) is done.
export async function settle(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('[_echarts_instance_]')]
    .filter((el) => el.getAttribute('_echarts_instance_') && el.offsetParent !== null)
    .every((el) => el.hasAttribute('data-drawn')));
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  });
}

export async function screenshot(page, name) {
  await settle(page);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}
