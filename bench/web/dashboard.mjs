// First render of 一屏统览 in Chromium against a real `tianbao serve` with the
// demo data, compared in the same run with the sign-in page (the lightest page
// of the same app, same bundle of Vue and Element Plus).
//
//   node bench/web/dashboard.mjs            # N=15 cold loads of each page
//   N=30 TIANBAO_BIN=build/tianbao node bench/web/dashboard.mjs
//
// Every load is a new browser context (no cache, no service worker), signed in
// by cookie so that only the page itself is measured. The dashboard sets the
// performance mark "dashboard-ready" once the key figures are in the DOM and
// the map has painted; the sign-in page is measured by its first contentful
// paint. Times are milliseconds from navigation start.
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { tempDir, demoDatabase, startServer, login, repoRoot } from '../../tests/api/helpers.mjs';

const require = createRequire(join(repoRoot, 'tests/e2e/package.json'));
const { chromium } = require('playwright-core');

const N = Number(process.env.N || 15);
const DASHBOARD = '/dashboard?indicator=YSS_REG_USERS&period=2022-08';

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function coldLoad(browser, url, cookie, measure) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  if (cookie) await context.addCookies([cookie]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const ms = await measure(page);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return ms;
}

const dashboardReady = (page) => page.waitForFunction(() => {
  const mark = performance.getEntriesByName('dashboard-ready')[0];
  return mark ? mark.startTime : false;
}, null, { timeout: 20000 }).then((h) => h.jsonValue());

const firstContentfulPaint = async (page) => {
  await page.locator('.login-card').waitFor();
  return page.waitForFunction(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return paint ? paint.startTime : false;
  }).then((h) => h.jsonValue());
};

const dir = tempDir();
let server;
let browser;
try {
  const db = demoDatabase(dir.path);
  server = await startServer(db);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  const viewer = await login(server.url, 'gd_viewer');
  const [name, value] = viewer.cookie.split('=');
  const cookie = { name, value, url: server.url };

  // One warm-up of each so the server's first answers are not counted.
  await coldLoad(browser, `${server.url}/login`, null, firstContentfulPaint);
  await coldLoad(browser, `${server.url}${DASHBOARD}`, cookie, dashboardReady);

  const loadBefore = loadavg()[0];
  const login_ = [];
  const dashboard = [];
  for (let i = 0; i < N; i += 1) {  // interleaved, so both see the same machine load
    login_.push(await coldLoad(browser, `${server.url}/login`, null, firstContentfulPaint));
    dashboard.push(await coldLoad(browser, `${server.url}${DASHBOARD}`, cookie, dashboardReady));
  }
  const row = (label, v) => `| ${label} | ${percentile(v, 50).toFixed(0)} | ${percentile(v, 95).toFixed(0)} | ${Math.min(...v).toFixed(0)} | ${Math.max(...v).toFixed(0)} |`;
  console.log(`${N} cold loads each, 1920×1080, ms from navigation start; ${cpus().length} CPUs, ` +
    `load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} during the run`);
  console.log('| page | p50 | p95 | min | max |');
  console.log('|---|---|---|---|---|');
  console.log(row('sign-in page, first contentful paint', login_));
  console.log(row('一屏统览, map and key figures rendered', dashboard));
  const ratio = percentile(dashboard, 50) / percentile(login_, 50);
  console.log(`dashboard / sign-in (p50): ${ratio.toFixed(2)}×; target: dashboard p95 under 1500 ms — ` +
    (percentile(dashboard, 95) < 1500 ? 'met' : 'NOT met'));
} finally {
  await browser?.close();
  await server?.stop();
  dir.remove();
}
