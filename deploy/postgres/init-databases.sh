#!/bin/bash
# PostgreSQL's first start (docker-entrypoint-initdb.d, deploy/compose.yaml): two databases,
# each with its own login role.
#
#   hr_plugin       the app's data (HR_PLUGIN_DATABASE_URL)
#   hr_plugin_keys  the vault's key store: wrapped data keys (HR_PLUGIN_VAULT_KEYSTORE_URL)
#
# Neither role can connect to the other's database, and each database is backed up on its
# own: a backup of the main database alone decrypts nothing. The passwords are Docker secrets
# written by deploy/make-secrets.sh. Runs once, when the data volume is empty.

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_password="$(cat /run/secrets/app_db_password)" \
    -v keys_password="$(cat /run/secrets/keystore_db_password)" <<'SQL'
CREATE ROLE hr_plugin LOGIN PASSWORD :'app_password';
CREATE ROLE hr_plugin_keys LOGIN PASSWORD :'keys_password';
CREATE DATABASE hr_plugin OWNER hr_plugin;
CREATE DATABASE hr_plugin_keys OWNER hr_plugin_keys;
REVOKE ALL ON DATABASE hr_plugin FROM PUBLIC;
REVOKE ALL ON DATABASE hr_plugin_keys FROM PUBLIC;
SQL
