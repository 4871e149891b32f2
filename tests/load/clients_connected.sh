#!/usr/bin/env bash
# Waits (at most 10 s) until at least N client connections other than this
# one are on the server psql reaches (PGHOST etc.); fails when they never are.
# Usage: clients_connected.sh N
for _ in $(seq 1 200); do
  n=$(psql -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
  [ "$n" -ge "$1" ] && exit 0
  sleep 0.05
done
echo "the load never started ($n connections)"
exit 1
