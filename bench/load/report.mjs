// Prints the surges of one bench/load/run side by side with the ratios the
// issue asks about: PostgreSQL one node against SQLite one node, and two
// nodes behind nginx against one.
import { readFileSync } from 'node:fs';

const runs = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = Object.fromEntries(runs.map((r) => [r.label, r]));
const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.requests || {})))];
const pad = (s, n) => String(s).padStart(n);
console.log(`\n${'run'.padEnd(20)}${pad('forms/s', 9)}${kinds.map((k) => pad(`${k} p50/p99 ms`, 24)).join('')}  errors`);
for (const r of runs) {
  const cells = kinds.map((k) => {
    const q = r.requests?.[k];
    return pad(q ? `${q.p50.toFixed(1)} / ${q.p99.toFixed(1)}` : '-', 24);
  });
  console.log(`${r.label.padEnd(20)}${pad(r.formsPerSecond.toFixed(0), 9)}${cells.join('')}  ${JSON.stringify(r.errors || {})}`);
}
const ratio = (a, b) => (by[a] && by[b] ? (by[a].formsPerSecond / by[b].formsPerSecond).toFixed(2) : 'n/a');
console.log(`\nPostgreSQL 1 node / SQLite 1 node: ${ratio('postgresql-1', 'sqlite-1')}×`);
console.log(`PostgreSQL 2 nodes / 1 node:       ${ratio('postgresql-2-nginx', 'postgresql-1')}×`);
