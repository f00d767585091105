// The change feed on SQLite: `tianbao import`, a separate process writing
// the same database as a running server, reaches the server's analytics
// without a restart (the server polls the store's change log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, demoDatabase, startServer, login, cli, postgresUrl } from './helpers.mjs';

// PostgreSQL does not write the change log yet (store::Store::change_feed()
// is null there), so another process's commits reach a running node only on
// SQLite for now.
const skip = postgresUrl ? 'the PostgreSQL store does not write the change log yet' : false;

let dir, db, server, base, admin, viewer;

before(async () => {
  dir = tempDir();
  db = demoDatabase(dir.path);
  server = await startServer(db);
  base = server.url;
  admin = await login(base, 'sysadmin');
  viewer = await login(base, 'gd_viewer');
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

// The town's total of one indicator in one month, as the server answers it
// (null while it has no value).
async function townTotal(indicator, town, period) {
  const r = await viewer.get(`/api/analytics?dimension=dx:${indicator}&filter=ou:${town}&filter=pe:${period}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const value = r.body.rows.length ? r.body.rows[0].at(-1) : null;
  return value === null || value === '' ? null : Number(value);
}

// Polls `read` until it returns `expected`, or fails after `timeoutMs`.
async function eventually(read, expected, timeoutMs) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    last = await read();
    if (last === expected) return Date.now() - start;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`still ${last} after ${timeoutMs} ms, expected ${expected}`);
}

test('a CLI import beside the running server reaches its analytics without a restart', { skip }, async () => {
  const town = '440802001';
  const period = '2010-01';
  const villages = (await admin.get(`/api/orgunits/${town}/children`)).body.orgUnits.map((u) => u.code);
  assert.ok(villages.length > 1, 'the town has villages');
  assert.equal(await townTotal('VIL_YZZ_USES', town, period), null, 'nothing in that month yet');

  const file = join(dir.path, 'uses.csv');
  const lines = ['dataelement,period,orgunit,value', ...villages.map((v, i) => `VIL_YZZ_USES,${period},${v},${i + 1}`)];
  writeFileSync(file, lines.join('\n') + '\n');
  const imported = cli('import', '--db', db, file);
  assert.equal(imported.status, 0, imported.stderr);
  assert.equal(JSON.parse(imported.stdout).importCount.imported, villages.length);

  const expected = (villages.length * (villages.length + 1)) / 2;
  const waited = await eventually(() => townTotal('VIL_YZZ_USES', town, period), expected, 30000);
  // The figure the brief asks for is "within a second"; the bound here is
  // generous for a loaded machine, the time taken is reported.
  console.log(`imported figures reached the server after ${waited} ms`);

  // A second import that replaces one figure arrives too.
  writeFileSync(file, `dataelement,period,orgunit,value\nVIL_YZZ_USES,${period},${villages[0]},100\n`);
  assert.equal(cli('import', '--db', db, file).status, 0);
  await eventually(() => townTotal('VIL_YZZ_USES', town, period), expected - 1 + 100, 30000);
});
