// Helpers of the entry pages (填报, 审核): what a typed figure is worth for the
// live preview of derived fields, the preview itself, and the words for the
// steps of an entry's history. The server remains the judge of every value;
// these only show the user what it will compute.

// "1,234" / "１２３" / "93.66%" / " 12 " → a number; anything else → null.
export function typedNumber(text) {
  if (text === null || text === undefined) return null;
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  const s = String(text)
    .replace(/[０-９．－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s]/g, '')
    .replace(/[%％]$/, '');
  if (s === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

// Evaluates a derived indicator's formula (+ - * /, parentheses, numbers,
// comparisons, if(cond,a,b), indicator codes) over `values` (code → number or
// null). Missing operands or a division by zero give null, as on the server.
export function evaluateFormula(formula, values) {
  const tokens = String(formula).match(/\d+\.?\d*|\.\d+|[A-Za-z_][A-Za-z0-9_]*|<=|>=|==|!=|[-+*/(),<>]/g) || [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t) => { if (next() !== t) throw new Error('formula'); };

  function primary() {
    const t = next();
    if (t === undefined) throw new Error('formula');
    if (t === '(') { const v = comparison(); expect(')'); return v; }
    if (t === '-') { const v = primary(); return v === null ? null : -v; }
    if (t === '+') return primary();
    if (/^[\d.]/.test(t)) return Number(t);
    if (t.toLowerCase() === 'if' && peek() === '(') {
      next();
      const c = comparison(); expect(',');
      const a = comparison(); expect(',');
      const b = comparison(); expect(')');
      if (c === null) return null;
      return c ? a : b;
    }
    const v = values[t];
    return v === undefined || v === null ? null : v;
  }
  function term() {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const r = primary();
      if (v === null || r === null) v = null;
      else if (op === '*') v = v * r;
      else v = r === 0 ? null : v / r;
    }
    return v;
  }
  function sum() {
    let v = term();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const r = term();
      v = v === null || r === null ? null : op === '+' ? v + r : v - r;
    }
    return v;
  }
  function comparison() {
    let v = sum();
    while (['<', '<=', '>', '>=', '==', '!='].includes(peek())) {
      const op = next();
      const r = sum();
      if (v === null || r === null) { v = null; continue; }
      v = { '<': v < r, '<=': v <= r, '>': v > r, '>=': v >= r, '==': v === r, '!=': v !== r }[op] ? 1 : 0;
    }
    return v;
  }
  try {
    const v = comparison();
    return pos === tokens.length && Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

// Last period's figure of a field; for a derived field the server has none,
// so it is computed from last period's operands.
export function previousOf(field, fields) {
  if (field.previous !== null && field.previous !== undefined) return field.previous;
  if (!field.derived || !field.formula) return null;
  const values = {};
  for (const f of fields) values[f.code] = typedNumber(f.previous);
  return evaluateFormula(field.formula, values);
}

// The steps of an entry's history as the user reads them.
export const ACTION_LABELS = {
  save: '保存草稿',
  submit: '提交',
  approve: '审核通过',
  return: '退回',
  unapprove: '撤销审核',
  recall_request: '申请撤回',
  recall_grant: '同意撤回',
  recall_deny: '拒绝撤回',
  withdraw: '移出任务',
};

// How a figure changed against last period: "+12.5%", "-3.0%", "" if unknown.
export function changeText(value, previous) {
  const v = typedNumber(value);
  const p = typedNumber(previous);
  if (v === null || p === null || p === 0) return '';
  const pct = ((v - p) / Math.abs(p)) * 100;
  return (pct > 0 ? '+' : '') + pct.toFixed(1) + '%';
}
