#!/bin/sh
# Writes deploy/secrets/ for compose.yaml, once:
#
#   postgres_password, app_db_password, keystore_db_password   random passwords (Docker secrets)
#   database.env     HR_PLUGIN_DATABASE_URL and HR_PLUGIN_VAULT_KEYSTORE_URL with those passwords
#   master.key       the vault's master key (what `hr-plugin vault new-key` writes)
#   slack.env        a template: fill in the Slack values and HR_PLUGIN_PUBLIC_URL
#
# It never overwrites a file: losing master.key makes every private check-in unreadable, and a
# new database password would no longer match the one PostgreSQL was initialised with.
# The folder is readable by you only; the files in it are world-readable so that the
# containers' own users (postgres, hr-plugin's uid 10001) can read their bind-mounted secrets.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 700 secrets

random_hex() {
    python3 -c 'import secrets; print(secrets.token_hex(24))'
}

database_files="postgres_password app_db_password keystore_db_password database.env"
present=0
for name in $database_files; do
    if [ -e "secrets/$name" ]; then present=$((present + 1)); fi
done
if [ "$present" -eq 0 ]; then
    random_hex > secrets/postgres_password
    app_password="$(random_hex)"
    keys_password="$(random_hex)"
    printf '%s\n' "$app_password" > secrets/app_db_password
    printf '%s\n' "$keys_password" > secrets/keystore_db_password
    {
        echo "HR_PLUGIN_DATABASE_URL=postgresql://hr_plugin:${app_password}@postgres:5432/hr_plugin"
        echo "HR_PLUGIN_VAULT_KEYSTORE_URL=postgresql://hr_plugin_keys:${keys_password}@postgres:5432/hr_plugin_keys"
    } > secrets/database.env
    echo "wrote the database passwords and secrets/database.env"
elif [ "$present" -lt 4 ]; then
    echo "error: only some of $database_files exist in deploy/secrets; restore the rest from your" >&2
    echo "backup, or remove them all to start a new pilot (with an empty PostgreSQL volume)" >&2
    exit 2
else
    echo "keeping the database passwords and secrets/database.env"
fi

if [ -e secrets/master.key ]; then
    echo "keeping secrets/master.key"
else
    python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' \
        > secrets/master.key
    echo "wrote a new master key to secrets/master.key: keep a copy somewhere safe, apart from backups"
fi

if [ -e secrets/slack.env ]; then
    echo "keeping secrets/slack.env"
else
    cat > secrets/slack.env <<'TEMPLATE'
# Fill these in (docs/deployment.md, "Creating the Slack app"). Single workspace: the bot token.
# Many workspaces: HR_PLUGIN_SLACK_CLIENT_ID and HR_PLUGIN_SLACK_CLIENT_SECRET instead.
HR_PLUGIN_PUBLIC_URL=https://hr-plugin.example.com
HR_PLUGIN_SLACK_SIGNING_SECRET=
HR_PLUGIN_SLACK_BOT_TOKEN=
# HR_PLUGIN_SLACK_CLIENT_ID=
# HR_PLUGIN_SLACK_CLIENT_SECRET=
TEMPLATE
    echo "wrote secrets/slack.env: fill in the Slack values and your public URL"
fi

chmod 644 secrets/*
