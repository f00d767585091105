// Prints the benchmark's figures side by side with the ratios against
// PostgreSQL and DuckDB measured in the same run.
// Usage: node report.mjs WORKDIR
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const work = process.argv[2];
const tb = JSON.parse(readFileSync(join(work, 'tianbao.json'), 'utf8'));
const duck = existsSync(join(work, 'duckdb.json')) ? JSON.parse(readFileSync(join(work, 'duckdb.json'), 'utf8')) : null;
const f = (x, d = 3) => (x === undefined ? '-' : x.toFixed(d));
const close = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

console.log(`values: ${tb.values.toLocaleString()}   cube load ${f(tb.cube_load_s, 1)} s   ` +
  `${f(tb.bytes_per_value, 1)} B/value held, ${f(tb.resident_bytes_per_value, 1)} B/value resident`);
console.log(`cube writes: ${Math.round(tb.cube_writes_per_s).toLocaleString()} single-value updates/s; ` +
  `write visible in next response: ${tb.write_visible}`);
console.log(`start-up from SQLite: ${tb.sqlite_load_values.toLocaleString()} values in ${f(tb.sqlite_load_s, 1)} s → ` +
  `${f(tb.sqlite_load_100m_s, 0)} s for 100M`);
if (tb.pg_load_s) console.log(`PostgreSQL load with indexes: ${f(tb.pg_load_s, 0)} s (COPY ${(tb.pg_copy_rows_per_s / 1e6).toFixed(2)}M rows/s)`);
if (duck) console.log(`DuckDB load: ${f(duck.load_s, 1)} s (${(duck.rows_per_s / 1e6).toFixed(1)}M rows/s)`);
console.log('');
// Ratios: in process (the engines against each other) and through HTTP
// (what a client of tianbao sees, against the engines queried in process).
console.log(['query', 'tb p50', 'tb p99', 'http p50', 'http p99', 'pg p50', 'duck p50', 'tb/pg', 'tb/duck', 'http/pg',
  'http/duck', 'checksums'].join('\t'));
for (const [name, q] of Object.entries(tb.queries)) {
  const key = name.slice(0, 2);
  const d = duck?.queries[key];
  const checks = [q.checksum, q.http_checksum, q.pg_checksum, d?.checksum].filter((x) => x !== undefined);
  const agree = checks.every((c) => close(c, checks[0]));
  console.log([
    name, f(q.tb_p50_ms), f(q.tb_p99_ms), f(q.http_p50_ms), f(q.http_p99_ms), f(q.pg_p50_ms, 2), f(d?.p50_ms, 2),
    q.pg_p50_ms ? `${Math.round(q.pg_p50_ms / q.tb_p50_ms)}×` : '-',
    d ? `${Math.round(d.p50_ms / q.tb_p50_ms)}×` : '-',
    q.pg_p50_ms ? `${Math.round(q.pg_p50_ms / q.http_p50_ms)}×` : '-',
    d ? `${Math.round(d.p50_ms / q.http_p50_ms)}×` : '-',
    agree ? 'agree' : `DIFFER ${checks.map((c) => c.toFixed(1)).join(' / ')}`,
  ].join('\t'));
}
