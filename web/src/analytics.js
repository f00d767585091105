// GET /api/analytics for 数据分析 and 一屏统览: building the query (the same
// one for the table and for the XLSX/CSV export), reading the answer, months,
// and how each measure is shown.
import { api, query } from './api.js';
import { formatNumber, isCancelled } from './format.js';

// spec: {dimensions: {dx: [...], ou: [...], pe: [...]} in row order,
//        filters: {dx, ou, pe}, measure: [...], includeOwnDepartments}
export function analyticsQuery(spec) {
  const join = (entries) => Object.entries(entries || {})
    .filter(([, items]) => items && items.length)
    .map(([dim, items]) => `${dim}:${items.join(';')}`);
  return query({
    dimension: join(spec.dimensions),
    filter: join(spec.filters),
    measure: (spec.measure || []).join(','),
    includeOwnDepartments: spec.includeOwnDepartments ? 'true' : '',
  });
}

export function analyticsPath(spec, extension = '') {
  return `/api/analytics${extension}${analyticsQuery(spec)}`;
}

// The answer as records {dx, ou, pe, value, new, …} (strings as the API gives
// them) with the metadata; cell() finds a record by its keys.
export function readAnalytics(body) {
  const names = body.headers.map((h) => h.name);
  const records = body.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  const keyNames = names.filter((n) => n === 'dx' || n === 'ou' || n === 'pe');
  const index = new Map(records.map((r) => [keyNames.map((k) => r[k]).join('|'), r]));
  return {
    headers: body.headers,
    records,
    items: body.metaData.items,
    dimensions: body.metaData.dimensions,
    name: (code) => body.metaData.items[code]?.name ?? code,
    cell: (keys) => index.get(keyNames.map((k) => keys[k]).join('|')) || null,
  };
}

export async function fetchAnalytics(spec) {
  return readAnalytics(await api.get(analyticsPath(spec)));
}

export function toNumber(value) {
  if (value === '' || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

// "2022-08" → n months ending there, oldest first.
export function monthsEnding(month, n) {
  const [y, m] = month.split('-').map(Number);
  const out = [];
  for (let i = n - 1; i >= 0; i -= 1) {
    const total = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

// The current month in Beijing time, "YYYY-MM".
export function currentMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}`;
}

export const MEASURES = [
  { code: 'value', label: '数值' },
  { code: 'new', label: '本期新增' },
  { code: 'mom', label: '环比' },
  { code: 'yoy', label: '同比' },
  { code: 'rank', label: '排名' },
];

// A measure's figure as shown: values with the indicator's unit, 新增 with
// a sign (percentage points for % indicators), 环比/同比 in %, ranks plain.
export function formatMeasure(measure, value, unit = '') {
  const n = toNumber(value);
  if (n === null) return value === '' || value === undefined || value === null ? '' : String(value);
  switch (measure) {
    case 'rank': return String(n);
    case 'mom':
    case 'yoy': return `${n > 0 ? '+' : ''}${formatNumber(n, 2)}%`;
    case 'new': return `${n > 0 ? '+' : ''}${formatNumber(n)}${unit === '%' ? '个百分点' : unit}`;
    default: return `${formatNumber(n)}${unit}`;
  }
}

// Which of a unit's children an entry (or unit code) belongs to: region codes
// extend their parent's code, departments are "<region>_<name>". Returns the
// child's code, "DIRECT" for the focus unit's own departments, or null.
export function childOf(code, focus, childCodes) {
  if (code.includes('_')) {
    const region = code.split('_')[0];
    if (region === focus) return 'DIRECT';
    code = region;
  }
  if (code === focus) return null;
  let best = null;
  for (const child of childCodes) {
    if (code.startsWith(child) && (!best || child.length > best.length)) best = child;
  }
  return best;
}

// Indicators grouped as the forms' sections group them, the rest under 其他;
// text and yes/no indicators have no figures to analyse.
export function groupIndicators(indicators, forms) {
  const byCode = new Map(indicators.filter((i) => i.valueType !== 'text' && i.valueType !== 'boolean')
    .map((i) => [i.code, i]));
  const seen = new Set();
  const groups = [];
  for (const form of forms) {
    for (const section of form.sections || []) {
      const list = section.indicators.filter((c) => byCode.has(c) && !seen.has(c)).map((c) => byCode.get(c));
      list.forEach((i) => seen.add(i.code));
      if (list.length) groups.push({ title: section.title, indicators: list });
    }
  }
  const rest = [...byCode.values()].filter((i) => !seen.has(i.code));
  if (rest.length) groups.push({ title: '其他', indicators: rest });
  return groups;
}

// The month to show when none is chosen: that of the last reporting round
// everyone has submitted, else the given fallback.
export function lastCompletedPeriod(tasks, fallback = '') {
  const done = tasks.filter((t) => !isCancelled(t) && /^\d{4}-\d{2}$/.test(t.period) && t.assigned > 0 &&
    t.submitted >= t.assigned)
    .map((t) => t.period).sort();
  return done.length ? done[done.length - 1] : fallback;
}
