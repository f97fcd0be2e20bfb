#!/usr/bin/env bash
# Run once by the official postgres image when it makes its data folder (mounted into
# /docker-entrypoint-initdb.d by deploy/docker-compose.yml and by the Kubernetes dev overlay):
# one database per Agora service that keeps data, owned by POSTGRES_USER (agora), as
# scripts/stack makes them for make run. Each service then runs its own migrations at start.
set -euo pipefail

for db in member catalog order payment; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v db="$db" -v owner="$POSTGRES_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
done
