#!/usr/bin/env bash
# The README's quick start: apply examples/quickstart.yaml to an embedded local datastore and
# print the resources back. Uses CALICO_DATASTORE_DIR if set, else a fresh temporary store.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run build >/dev/null
export CALICO_DATASTORE_DIR="${CALICO_DATASTORE_DIR:-$(mktemp -d)/datastore}"
echo "Using the local datastore in $CALICO_DATASTORE_DIR" >&2
./bin/run.js apply -f examples/quickstart.yaml
./bin/run.js get -f examples/quickstart.yaml -o yaml
