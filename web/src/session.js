// Who is signed in, with what roles, and the CSRF token for writes. A single
// reactive object shared by every page; `load` asks the server (a reloaded
// page keeps its session cookie), `signIn`/`signOut` change it.
import { reactive } from 'vue';

export const ROLE_LABELS = {
  sysadmin: '系统管理员',
  admin: '管理员',
  approver: '审核员',
  filler: '填表员',
  viewer: '查看者',
};

export const session = reactive({
  user: null,
  csrfToken: '',
  mustChangePassword: false,
  loaded: false,
  // Set while a request waits for the user to sign in again.
  relogin: null,
});

function apply(body) {
  session.user = body.user;
  session.csrfToken = body.csrfToken || '';
  session.mustChangePassword = !!body.mustChangePassword;
}

async function postJson(path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (session.csrfToken) headers['X-CSRF-Token'] = session.csrfToken;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json().catch(() => ({}));
  return { res, data };
}

export async function loadSession() {
  try {
    const res = await fetch('/api/me', { credentials: 'same-origin' });
    if (res.ok) apply(await res.json());
    else session.user = null;
  } catch {
    session.user = null;
  }
  session.loaded = true;
  return session.user;
}

// Signs in; resolves to the login answer or throws {code, message, field}.
export async function signIn(username, password, totp) {
  const body = { username, password };
  if (totp) body.totp = totp;
  const { res, data } = await postJson('/api/login', body);
  if (!res.ok) throw (data && data.error) || { code: 'http_' + res.status, message: '登录失败' };
  apply(data);
  return data;
}

export async function changePassword(oldPassword, newPassword) {
  const { res, data } = await postJson('/api/password', { old: oldPassword, new: newPassword });
  if (!res.ok) throw (data && data.error) || { code: 'http_' + res.status, message: '修改密码失败' };
  if (data.csrfToken) session.csrfToken = data.csrfToken;
  session.mustChangePassword = false;
  return data;
}

export async function signOut() {
  try { await postJson('/api/logout', {}); } catch { /* signing out locally is enough */ }
  session.user = null;
  session.csrfToken = '';
}

export function hasRole(...roles) {
  const mine = session.user?.roles || [];
  return mine.includes('sysadmin') || roles.some((r) => mine.includes(r));
}

// Requests that met an expired session wait here until the re-login dialog
// (App.vue) signs the same user in again.
export function waitForRelogin() {
  if (!session.relogin) {
    let resolve;
    const done = new Promise((r) => { resolve = r; });
    session.relogin = { done, resolve };
  }
  return session.relogin.done;
}

export function finishRelogin() {
  const pending = session.relogin;
  session.relogin = null;
  if (pending) pending.resolve();
}
