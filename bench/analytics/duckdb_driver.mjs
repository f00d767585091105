// DuckDB side of the analytics benchmark: loads the CSV files written by
// bench_analytics (rows in arrival order: month, indicator, unit — as in
// ANCHORS.md), runs Q1–Q4 warm, and prints JSON with p50/p99 and the
// checksum (sum of the value column) per query.
// Usage: node duckdb_driver.mjs WORKDIR [runs] [village-id]
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const work = process.argv[2];
const runs = Number(process.argv[3] || 50);
const tianbao = JSON.parse(readFileSync(join(work, 'tianbao.json'), 'utf8'));
const villageId = tianbao.q4_village_id;

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await instance.connect();
const t0 = performance.now();
await conn.run(`CREATE TABLE _orgunitstructure AS SELECT * FROM read_csv('${join(work, 'structure.csv')}',
  header=false, nullstr='', columns={'organisationunitid':'INTEGER','level':'INTEGER','idlevel1':'INTEGER',
  'idlevel2':'INTEGER','idlevel3':'INTEGER','idlevel4':'INTEGER','idlevel5':'INTEGER'})`);
await conn.run(`CREATE TABLE datavalue AS SELECT * FROM read_csv('${join(work, 'values.csv')}',
  header=false, columns={'dataelementid':'INTEGER','orgunitid':'INTEGER','period':'VARCHAR','value':'DOUBLE'})`);
const loadSeconds = (performance.now() - t0) / 1000;

const queries = {
  Q1: [`SELECT ous.idlevel2, dv.period, sum(dv.value) FROM datavalue dv JOIN _orgunitstructure ous
        ON ous.organisationunitid = dv.orgunitid WHERE dv.dataelementid = 1 AND dv.period BETWEEN '2025-01' AND '2025-12'
        GROUP BY 1, 2`, 2],
  Q2: [`SELECT dv.dataelementid, ous.idlevel3, dv.period, sum(dv.value) FROM datavalue dv JOIN _orgunitstructure ous
        ON ous.organisationunitid = dv.orgunitid WHERE dv.dataelementid BETWEEN 1 AND 10
        AND dv.period BETWEEN '2025-01' AND '2025-12' AND ous.idlevel3 IS NOT NULL GROUP BY 1, 2, 3`, 3],
  Q3: [`SELECT idlevel4, r, rank() OVER (ORDER BY r DESC) FROM (SELECT ous.idlevel4,
        sum(CASE WHEN dv.dataelementid = 1 THEN dv.value END) / nullif(sum(CASE WHEN dv.dataelementid = 2 THEN dv.value END), 0) AS r
        FROM datavalue dv JOIN _orgunitstructure ous ON ous.organisationunitid = dv.orgunitid
        WHERE dv.dataelementid IN (1, 2) AND dv.period BETWEEN '2025-01' AND '2025-08' AND ous.idlevel4 IS NOT NULL GROUP BY 1) t`, 1],
  Q4: [`SELECT dataelementid, period, value FROM datavalue WHERE orgunitid = ${villageId} AND dataelementid BETWEEN 1 AND 20`, 2],
};

const out = { load_s: loadSeconds, rows_per_s: 0, queries: {} };
const count = (await conn.runAndReadAll('SELECT count(*) FROM datavalue')).getRows()[0][0];
out.rows_per_s = Number(count) / loadSeconds;
for (const [name, [sql, col]] of Object.entries(queries)) {
  let checksum = 0;
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const rows = (await conn.runAndReadAll(sql)).getRows();
    const ms = performance.now() - start;
    if (i === 0) {
      checksum = rows.reduce((a, r) => a + (r[col] === null ? 0 : Number(r[col])), 0);
    } else {
      times.push(ms);
    }
  }
  times.sort((a, b) => a - b);
  out.queries[name] = {
    p50_ms: times[Math.floor(times.length * 0.5)],
    p99_ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))],
    checksum,
  };
}
console.log(JSON.stringify(out, null, 2));
