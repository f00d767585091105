// The demo bulletin for 2022-08 as an office opens it: the DOCX converted to
// PDF by LibreOffice and to PNG by pdftoppm (both installed by
// scripts/setup), its text read back with pdftotext and compared with the
// figures GET /api/analytics gives in the same run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tempDir, demoDatabase, startServer, login } from './helpers.mjs';

let dir, server, viewer;

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  viewer = await login(server.url, 'gd_viewer');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.error, undefined, `${cmd}: ${r.error}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function value(params) {
  const r = await viewer.get(`/api/analytics?${params}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows;
}

test('the DOCX converts to PDF and PNG, and its tables hold the analytics figures', async () => {
  const res = await fetch(`${server.url}/api/bulletins/demo/render?period=2022-08&format=docx`, {
    headers: { cookie: viewer.cookie },
  });
  assert.equal(res.status, 200);
  const docx = join(dir.path, 'demo-2022-08.docx');
  writeFileSync(docx, Buffer.from(await res.arrayBuffer()));

  // A private profile, so parallel runs (and a user's own LibreOffice) do not clash.
  const profile = `file://${join(dir.path, 'lo-profile')}`;
  run('libreoffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir.path, docx]);
  const pdf = join(dir.path, 'demo-2022-08.pdf');
  assert.ok(existsSync(pdf), 'LibreOffice wrote the PDF');

  run('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '2', pdf, join(dir.path, 'page')]);
  const pngs = readdirSync(dir.path).filter((f) => /^page-\d+\.png$/.test(f));
  assert.equal(pngs.length, 2, pngs.join());
  for (const p of pngs) assert.ok(statSync(join(dir.path, p)).size > 5000, `${p} has content`);

  const info = run('pdfinfo', [pdf]);
  const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
  assert.ok(pages >= 2 && pages <= 8, `${pages} pages`);

  const text = run('pdftotext', ['-layout', pdf, '-']);
  // The 中文 came through (a CJK font was found for 仿宋/宋体); pdftotext
  // puts spaces between 中文 and digits, so compare without them.
  const squashed = text.replace(/[ \t]+/g, '');
  assert.match(squashed, /数字政府改革建设工作月报/);
  assert.match(squashed, /2022年第8期/);
  assert.match(squashed, /广东省政务服务数据管理局2022年9月13日/);
  const line = (label) => {
    // A table row: the label, then figures after a gap.
    const found = text.split('\n').find((l) => l.trim().startsWith(label) && /^\s*\S+\s+[-+]?\d/.test(l));
    assert.ok(found, `a table row for ${label}`);
    return found;
  };
  const numbers = (l) => l.match(/-?\+?\d+(\.\d+)?%?/g);

  // The per-city table: 上线事项, 注册用户数(万) for cities, 省直 and the total.
  const rows = await value('dimension=dx:YSS_SERVICES;YSS_REG_USERS&dimension=ou:4401;4408;4453;44&filter=pe:2022-08&includeOwnDepartments=true');
  const fig = (dx, ou) => rows.find((r) => r[0] === dx && r[1] === ou)?.[2];
  for (const [name, ou] of [['广州', '4401'], ['湛江', '4408'], ['云浮', '4453'], ['全省', '44']]) {
    const cells = numbers(line(name));
    assert.equal(cells[0], String(Number(fig('YSS_SERVICES', ou))), `${name} 上线事项`);
    assert.equal(cells[1], Number(fig('YSS_REG_USERS', ou)).toFixed(1), `${name} 注册用户数`);
  }
  assert.equal(numbers(line('省直'))[0], String(Number(fig('YSS_SERVICES', '44:DIRECT'))));
  const cities = ['广州', '深圳', '珠海', '汕头', '佛山', '韶关', '河源', '梅州', '惠州', '汕尾', '东莞',
    '中山', '江门', '阳江', '湛江', '茂名', '肇庆', '清远', '潮州', '揭阳', '云浮'];
  const sum = cities.reduce((a, c) => a + Number(numbers(line(c))[0]), 0);
  assert.ok(Number(numbers(line('全省'))[0]) > sum, 'the total includes 省直, so it exceeds the cities’ sum');

  // The main-indicators table: 接通率 累计 (1–8月, ratio of sums) and its
  // change from July in 个百分点.
  const rate = await value('dimension=dx:HOTLINE_RATE&filter=ou:44&dimension=pe:2022-01..2022-08;2022-07;2022-08');
  const r = (pe) => Number(rate.find((x) => x[1] === pe)[2]);
  const change = (r('2022-08') - r('2022-07')).toFixed(2);
  assert.deepEqual(numbers(line('接通率')), [r('2022-01..2022-08').toFixed(2) + '%', change]);
  assert.doesNotMatch(line('接通率'), new RegExp(`${change}%`));

  // The projects table: counts with the month's change, and the total row.
  const prj = await value('dimension=dx:PRJ_PREPARING;PRJ_ACCEPTED&filter=ou:44&dimension=pe:2022-07;2022-08');
  const p = (dx, pe) => Number(prj.find((x) => x[0] === dx && x[1] === pe)[2]);
  const prep = numbers(line('准备'));
  assert.equal(Number(prep[0]), p('PRJ_PREPARING', '2022-08'));
  assert.equal(Number(prep[1]), p('PRJ_PREPARING', '2022-08') - p('PRJ_PREPARING', '2022-07'));
  assert.equal(Number(numbers(line('已完成验收'))[0]), p('PRJ_ACCEPTED', '2022-08'));
  assert.ok(line('合计'));
});
