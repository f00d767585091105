# PostgreSQL for the benchmarks' comparisons: a private cluster under
# /var/tmp on loopback, removed again on exit. Source this file, then
#   pg_install            # postgresql + libpq-dev, if missing
#   pg_start 5499 6GB     # port, shared_buffers; sets PGBIN and PGDATA, traps EXIT
#   pg_start 5498 2GB on  # the same with synchronous_commit=on (durable commits)
# Conninfo afterwards: "host=127.0.0.1 port=5499 user=postgres dbname=postgres".

pg_install() {
  local need=()
  for p in postgresql libpq-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
}

pg_start() {
  local port="$1" shared_buffers="${2:-6GB}" synchronous_commit="${3:-off}"
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PGDATA="/var/tmp/tianbao-bench-pg"
  rm -rf "$PGDATA" && mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o \
    "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=$shared_buffers -c work_mem=256MB \
     -c maintenance_work_mem=2GB -c max_wal_size=32GB -c checkpoint_timeout=30min \
     -c synchronous_commit=$synchronous_commit -c max_parallel_workers_per_gather=2" >/dev/null
  trap pg_stop EXIT
}

pg_stop() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null || true
  rm -rf "$PGDATA"
}
