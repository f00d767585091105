// The one way the web app talks to tianbao: JSON over fetch with the session
// cookie and the CSRF token, errors turned into ApiError with the server's
// code, 中文 message, field and (for validation) violations.
//
// When the session has expired, the request waits while the app asks the user
// to sign in again (see session.js); it is then retried, so nothing typed on
// the page is lost.
import { session, waitForRelogin } from './session.js';

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败（${status}）`);
    this.status = status;
    this.code = error.code || 'http_' + status;
    this.field = error.field ?? null;
    this.violations = (body && body.violations) || error.violations || [];
    this.body = body;
  }
}

const SESSION_LOST = new Set(['session_expired', 'unauthenticated']);

async function send(method, path, body, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (method !== 'GET' && method !== 'HEAD' && session.csrfToken) {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer) &&
      !(body instanceof Uint8Array) && typeof body !== 'string') {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { error: { code: 'network', message: '无法连接服务器，请检查网络后重试' } });
  }
  if (options.raw && res.ok) return res;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (res.ok) return data;
  const err = new ApiError(res.status, typeof data === 'object' ? data : null);
  if (res.status === 401 && SESSION_LOST.has(err.code) && !options.noRelogin && session.user) {
    await waitForRelogin();
    return send(method, path, body, options);
  }
  throw err;
}

export const api = {
  get: (path, options) => send('GET', path, undefined, options),
  post: (path, body, options) => send('POST', path, body ?? {}, options),
  put: (path, body, options) => send('PUT', path, body, options),
  patch: (path, body, options) => send('PATCH', path, body, options),
  del: (path, options) => send('DELETE', path, undefined, options),
  send,
};

// Builds a query string, leaving out empty values; arrays repeat the key.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, item);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// Downloads a file the API produces (XLSX, CSV, DOCX) under the given name.
export async function download(path, filename) {
  const res = await send('GET', path, undefined, { raw: true });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
