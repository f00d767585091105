// The authorization matrix: every endpoint × every role × (own unit, a unit
// in scope, a unit out of scope). Users sit at 湛江市 (4408); 赤坎区 (440802)
// is in their scope, 珠海市 (4404) is not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, demoDatabase, startServer, login } from './helpers.mjs';

let dir, server, base;
const clients = {};
const roles = ['admin', 'approver', 'filler', 'viewer'];
const targets = { own: '4408', in: '440802', out: '4404' };
let seq = 0;
let matrixTask;
const unique = (prefix) => `${prefix}${Date.now() % 100000}${seq++}`;
// A month of its own for each task dispatched here: two tasks over the same
// unit and month would be refused as overlapping (一事一报).
const uniqueMonth = () => {
  const n = seq++;
  return `${2030 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
};

before(async () => {
  dir = tempDir();
  server = await startServer(demoDatabase(dir.path));
  base = server.url;
  clients.sysadmin = await login(base, 'sysadmin');
  for (const role of roles) clients[role] = await login(base, `zj_${role}`);
  // A form filled at city and county level, and a task covering all three targets.
  assert.equal((await clients.sysadmin.post('/api/indicators', { code: 'M_COUNT', name: '计数', unit: '个', valueType: 'integer' })).status, 201);
  assert.equal((await clients.sysadmin.post('/api/forms', {
    code: 'M_FORM', name: '矩阵测试表', periodType: 'month', levels: [2, 3],
    sections: [{ title: '一', indicators: ['M_COUNT'] }],
  })).status, 201);
  const task = await clients.sysadmin.post('/api/tasks', {
    form: 'M_FORM', period: '2026-10', orgUnits: Object.values(targets), deadline: '2099-12-31',
  });
  assert.equal(task.status, 201);
  matrixTask = task.body.id;
  // A user at each target, for the per-user endpoints.
  for (const [where, org] of Object.entries(targets)) {
    const r = await clients.sysadmin.post('/api/users', {
      username: `target_${where}`, displayName: `目标${where}`, orgUnit: org, roles: ['filler'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});

after(async () => {
  await server?.stop();
  dir?.remove();
});

const users = { own: 'target_own', in: 'target_in', out: 'target_out' };

// Each endpoint: how to call it for a target unit, and the expected status
// per role for [own, in, out].
const endpoints = [
  {
    name: 'GET /api/orgunits/{code}',
    call: (c, org) => c.get(`/api/orgunits/${org}`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'GET /api/orgunits/{code}/children',
    call: (c, org) => c.get(`/api/orgunits/${org}/children`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'GET /api/orgunits?parent=',
    call: (c, org) => c.get(`/api/orgunits?parent=${org}`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'POST /api/orgunits',
    call: (c, org) => c.post('/api/orgunits', { code: unique(`D${org}_`), name: '测试局', parent: org }),
    expect: { admin: [201, 201, 404], others: [403, 403, 404] },
  },
  {
    name: 'GET /api/users?orgUnit=',
    call: (c, org) => c.get(`/api/users?orgUnit=${org}`),
    expect: { admin: [200, 200, 404], others: [403, 403, 403] },
  },
  {
    name: 'POST /api/users',
    call: (c, org) => c.post('/api/users', {
      username: unique('u'), displayName: '新用户', orgUnit: org, roles: ['viewer'],
    }),
    expect: { admin: [201, 201, 404], others: [403, 403, 404] },
  },
  {
    name: 'GET /api/users/{username}',
    call: (c, _org, where) => c.get(`/api/users/${users[where]}`),
    expect: { admin: [200, 200, 404], others: [403, 403, 404] },
  },
  {
    name: 'PUT /api/users/{username}',
    call: (c, _org, where) => c.put(`/api/users/${users[where]}`, { displayName: '改名' }),
    expect: { admin: [200, 200, 404], others: [403, 403, 404] },
  },
  {
    name: 'POST /api/users/{username}/unlock',
    call: (c, _org, where) => c.post(`/api/users/${users[where]}/unlock`),
    expect: { admin: [200, 200, 404], others: [403, 403, 404] },
  },
  {
    name: 'GET /api/contacts?orgUnit=',
    call: (c, org) => c.get(`/api/contacts?orgUnit=${org}`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'GET /api/orgunits/{code}/contacts',
    call: (c, org) => c.get(`/api/orgunits/${org}/contacts`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'POST /api/contacts',
    call: (c, org) => c.post('/api/contacts', {
      orgUnit: org, name: unique('联系人'), title: '联络员', mobile: '13912345678',
    }),
    expect: { admin: [201, 201, 404], others: [403, 403, 404] },
  },
  {
    name: 'GET /api/audit',
    call: (c) => c.get('/api/audit?limit=5'),
    expect: { admin: [200, 200, 200], others: [403, 403, 403] },
  },
  {
    name: 'GET /api/indicators',
    call: (c) => c.get('/api/indicators'),
    expect: { all: [200, 200, 200] },
  },
  {
    name: 'POST /api/indicators',
    call: (c) => c.post('/api/indicators', { code: unique('M_IND_'), name: '新指标' }),
    expect: { admin: [201, 201, 201], others: [403, 403, 403] },
  },
  {
    name: 'POST /api/tasks',
    call: (c, org) => c.post('/api/tasks', { form: 'M_FORM', period: uniqueMonth(), orgUnits: [org], deadline: '2099-12-31' }),
    expect: { admin: [201, 201, 404], others: [403, 403, 403] },
  },
  {
    name: 'GET /api/tasks/{id}/entries/{org}',
    call: (c, org) => c.get(`/api/tasks/${matrixTask}/entries/${org}`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'PUT /api/tasks/{id}/entries/{org}',
    call: async (c, org) => {
      const e = await c.get(`/api/tasks/${matrixTask}/entries/${org}`);
      return c.put(`/api/tasks/${matrixTask}/entries/${org}`, { version: e.body?.version ?? 1, values: { M_COUNT: 1 } });
    },
    expect: { filler: [200, 403, 404], others: [403, 403, 404] },
  },
  {
    name: 'POST /api/tasks/{id}/entries/{org}/approve',
    call: (c, org) => c.post(`/api/tasks/${matrixTask}/entries/${org}/approve`),
    expect: { approver: [403, 409, 404], others: [403, 403, 404] },
  },
  {
    name: 'GET /api/tasks/{id}/status',
    call: (c) => c.get(`/api/tasks/${matrixTask}/status`),
    expect: { all: [200, 200, 200] },
  },
  {
    name: 'GET /api/dataValues/history',
    call: (c, org) => c.get(`/api/dataValues/history?dataElement=M_COUNT&orgUnit=${org}&period=2026-10`),
    expect: { all: [200, 200, 404] },
  },
  {
    name: 'GET /api/tokens (own tokens only)',
    call: (c) => c.get('/api/tokens'),
    expect: { all: [200, 200, 200] },
  },
];

function expected(endpoint, role) {
  if (role === 'sysadmin') return null;  // checked separately: never 403/404 for existing targets
  if (endpoint.expect.all) return endpoint.expect.all;
  return endpoint.expect[role] ?? endpoint.expect.others;
}

for (const endpoint of endpoints) {
  test(`matrix: ${endpoint.name}`, async () => {
    for (const role of [...roles, 'sysadmin']) {
      const want = expected(endpoint, role);
      for (const [i, where] of ['own', 'in', 'out'].entries()) {
        const r = await endpoint.call(clients[role], targets[where], where);
        const label = `${role} × ${where}: ${JSON.stringify(r.body).slice(0, 200)}`;
        if (want) {
          assert.equal(r.status, want[i], label);
        } else if (!endpoint.name.includes('/approve')) {
          assert.ok(r.status === 200 || r.status === 201, label);
        } else {
          assert.ok(![401, 403, 404].includes(r.status), label);  // state, not access, decides
        }
        if (r.status >= 400) {
          assert.ok(r.body.error?.code, label);
          assert.match(r.body.error.message, /[\u4e00-\u9fff]/, label);
        }
      }
    }
  });
}

test('anonymous callers get 401 on every scoped endpoint', async () => {
  const anonymous = {
    get: (p) => fetch(`${base}${p}`).then(async (r) => ({ status: r.status, body: await r.json() })),
    post: (p, b) => fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(b ?? {}) })
      .then(async (r) => ({ status: r.status, body: await r.json() })),
    put: (p, b) => fetch(`${base}${p}`, { method: 'PUT', body: JSON.stringify(b ?? {}) })
      .then(async (r) => ({ status: r.status, body: await r.json() })),
  };
  for (const endpoint of endpoints) {
    const r = await endpoint.call(anonymous, targets.own, 'own');
    assert.equal(r.status, 401, endpoint.name);
    assert.equal(r.body.error.code, 'unauthenticated', endpoint.name);
  }
});

test('lists and searches never return out-of-scope data', async () => {
  for (const role of roles) {
    const c = clients[role];
    const search = await c.get('/api/orgunits?pageSize=1000');
    assert.equal(search.status, 200);
    for (const u of search.body.orgUnits) assert.ok(u.path.startsWith('/44/4408'), `${role}: ${u.path}`);
    const zhuhai = await c.get(`/api/orgunits?q=${encodeURIComponent('珠海')}`);
    assert.equal(zhuhai.body.pager.total, 0, role);
    const contacts = await c.get('/api/contacts');
    assert.equal(contacts.status, 200);
    assert.ok(contacts.body.contacts.length > 0);
    for (const ct of contacts.body.contacts) {
      // Own subtree, or a superior (广东省) whom they may need to call.
      assert.ok(ct.orgUnit === '44' || ct.orgUnit.startsWith('4408'), `${role}: ${ct.orgUnit}`);
    }
  }
  const users = await clients.admin.get('/api/users');
  assert.ok(users.body.users.length > 0);
  for (const u of users.body.users) assert.ok(u.orgUnit.startsWith('4408'), u.orgUnit);
  assert.ok(!users.body.users.some((u) => u.username === 'target_out'));
  const audit = await clients.admin.get('/api/audit?limit=1000');
  assert.ok(audit.body.records.length > 0);
  for (const rec of audit.body.records) assert.ok(rec.orgUnit.startsWith('4408'), JSON.stringify(rec));
  const all = await clients.sysadmin.get('/api/audit?limit=1000');
  assert.ok(all.body.records.length > audit.body.records.length);
});

test('a village filler sees only the village (and whom to call above)', async () => {
  const cun = await login(base, 'cun_filler');
  assert.equal((await cun.get('/api/orgunits/440802001001')).status, 200);
  assert.equal((await cun.get('/api/orgunits/440802001002')).status, 404);
  assert.equal((await cun.get('/api/orgunits/440802001/children')).status, 404);
  const search = await cun.get('/api/orgunits?pageSize=1000');
  assert.deepEqual(search.body.orgUnits.map((u) => u.code), ['440802001001']);
  const contacts = await cun.get('/api/contacts');
  const units = new Set(contacts.body.contacts.map((c) => c.orgUnit));
  for (const u of units) assert.ok('440802001001'.startsWith(u), u);
  assert.ok(units.has('440802001'), 'town contacts are listed for the filler to call');
  for (const c of contacts.body.contacts) {
    assert.equal(c.masked, false);
    assert.match(c.mobileLink, /^tel:1\d{10}$/);
  }
});

test('viewers see masked phone numbers', async () => {
  const r = await clients.viewer.get('/api/contacts');
  assert.ok(r.body.contacts.length > 0);
  for (const c of r.body.contacts) {
    assert.equal(c.masked, true);
    if (c.mobile) assert.match(c.mobile, /^\d{3}\*{4}\d{4}$/);
    assert.equal(c.mobileLink, undefined);
  }
});

test('admins cannot grant or touch sysadmin; nobody escalates by editing themselves', async () => {
  const r = await clients.admin.post('/api/users', {
    username: unique('boss'), displayName: '越权', orgUnit: '4408', roles: ['sysadmin'],
  });
  assert.equal(r.status, 403);
  assert.equal((await clients.admin.put('/api/users/sysadmin', { displayName: 'x' })).status, 404);
  const self = await clients.admin.put('/api/users/zj_admin', { roles: ['sysadmin'] });
  assert.equal(self.status, 403);
  const move = await clients.admin.put('/api/users/target_in', { orgUnit: '4404' });
  assert.equal(move.status, 404);
  assert.equal((await clients.sysadmin.get('/api/users/target_in')).body.orgUnit, '440802');
});

test('denials are audited', async () => {
  await clients.filler.post('/api/orgunits', { code: unique('DENY_'), name: '越权局', parent: '4408' });
  const r = await clients.sysadmin.get('/api/audit?action=permission.denied&user=zj_filler&limit=5');
  assert.equal(r.status, 200);
  assert.ok(r.body.records.length > 0);
  assert.equal(r.body.records[0].outcome, 'denied');
});

test('the audit log filters by time, user and action', async () => {
  const old = await clients.sysadmin.get('/api/audit?from=2000-01-01&to=2000-01-02');
  assert.equal(old.status, 200);
  assert.equal(old.body.records.length, 0);
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const recent = await clients.sysadmin.get(`/api/audit?from=${today}&action=login&limit=3`);
  assert.equal(recent.body.records.length, 3);
  for (const r of recent.body.records) {
    assert.ok(r.action.startsWith('login'));
    assert.match(r.at, /\+08:00$/);
  }
  const page2 = await clients.sysadmin.get(`/api/audit?action=login&limit=3&before=${recent.body.next}`);
  assert.ok(page2.body.records.every((r) => r.id < recent.body.records.at(-1).id));
  const bad = await clients.sysadmin.get('/api/audit?from=yesterday');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'from');
  assert.equal(recent.body.retentionDays, 180);
});
