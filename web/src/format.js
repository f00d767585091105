// Display helpers shared by every page: figures, periods, dates, statuses.

// 1234567.8 → "1,234,567.8"; empty for null/undefined/"".
export function formatNumber(value, digits) {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const options = digits === undefined ? { maximumFractionDigits: 4 } :
    { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return n.toLocaleString('zh-CN', options);
}

// "2022-08" → "2022年8月", "2022Q3" → "2022年第3季度", "2022" → "2022年".
export function periodLabel(period) {
  if (!period) return '';
  let m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) return `${m[1]}年${Number(m[2])}月`;
  m = /^(\d{4})Q([1-4])$/.exec(period);
  if (m) return `${m[1]}年第${m[2]}季度`;
  m = /^(\d{4})$/.exec(period);
  if (m) return `${m[1]}年`;
  return period;
}

// ISO timestamps and epoch milliseconds → "2026-11-22 10:30" in Beijing time.
export function formatTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false,
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .replace(/\//g, '-');
}

// Today in Beijing as "YYYY-MM-DD" (deadlines are Beijing dates).
export function beijingToday() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

// A Date as its calendar day "YYYY-MM-DD" in the browser's zone (what a date
// picker cell shows), for comparing against deadline strings.
export function calendarDay(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// "2022-10-31" + 18 → "2022-11-18" (calendar days, no time zone involved).
export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The last day of a period: "2022-09" → "2022-09-30", "2022Q3" → "2022-09-30",
// "2022" → "2022-12-31"; null for anything else.
export function periodEnd(period) {
  let m = /^(\d{4})-(\d{2})$/.exec(period || '');
  if (m) return addDays(`${m[1]}-${m[2]}-01`, new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate() - 1);
  m = /^(\d{4})Q([1-4])$/.exec(period || '');
  if (m) return periodEnd(`${m[1]}-${String(m[2] * 3).padStart(2, '0')}`);
  m = /^(\d{4})$/.exec(period || '');
  if (m) return `${m[1]}-12-31`;
  return null;
}

// Whole days from today (Beijing) to a "YYYY-MM-DD" due date; negative when overdue.
export function daysUntil(date) {
  if (!date) return null;
  const today = new Date(`${beijingToday()}T00:00:00Z`);
  const due = new Date(`${date}T00:00:00Z`);
  return Math.round((due - today) / 86400000);
}

// Entry statuses as the server names them, with Element Plus tag types.
export const STATUS_TAG = {
  not_started: 'info',
  draft: 'warning',
  submitted: 'primary',
  returned: 'danger',
  approved: 'success',
  withdrawn: 'info',
};

// A task is open until its issuer cancels it (任务已撤销); its entries stay as history.
export const isCancelled = (task) => task?.state === 'cancelled';

// A due date as the countdown a filler reads: "剩余 5 天" / "今天截止" /
// "已逾期 3 天", with a tag type that turns warning within 3 days and danger
// once overdue.
export function deadlineText(date) {
  const days = daysUntil(date);
  if (days === null) return { text: '', type: 'info', days };
  if (days < 0) return { text: `已逾期 ${-days} 天`, type: 'danger', days };
  if (days === 0) return { text: '今天截止', type: 'danger', days };
  return { text: `剩余 ${days} 天`, type: days <= 3 ? 'warning' : 'success', days };
}
