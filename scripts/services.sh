#!/usr/bin/env bash
# Starts the real services the adapter tests use, if they are down: PostgreSQL (127.0.0.1:5432, user postgres,
# database test) and Redis (127.0.0.1:6379).
set -euo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "[services] starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432 || { echo "[services] PostgreSQL did not come up" >&2; exit 1; }
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='test'" postgres | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -c 'create database test' postgres
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "[services] starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 1; done
redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG || { echo "[services] Redis did not come up" >&2; exit 1; }
