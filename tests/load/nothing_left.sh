#!/usr/bin/env bash
# Waits (at most 5 s) until no client connection other than this one is on
# the server psql reaches (PGHOST etc.), then checks that no ccsim_load
# schema is left; says what was left behind and fails otherwise.
for _ in $(seq 1 100); do
  left=$(psql -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
  [ "$left" -eq 0 ] && break
  sleep 0.05
done
schemas=$(psql -qAt -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ccsim_load%'")
[ "$left" -eq 0 ] && [ "$schemas" -eq 0 ] || { echo "left behind: $left connections, $schemas schemas"; exit 1; }
