#!/usr/bin/env bash
# Installs the released StackImpact Node.js agent (package-lock.json) into OUTDIR and builds
# its native addon for this Node.js; touches STAMP when done. Usage: install.sh OUTDIR STAMP
# The package's own install script uses node-gyp 4, which needs Python 2: the scripts are
# skipped and the addon is built with the node-gyp that npm bundles (or one on PATH), against
# the installed Node.js headers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
stamp=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")  # the build dir gives it relative
mkdir -p "$out"
cp "$here/package.json" "$here/package-lock.json" "$out/"
cd "$out"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null

npm_cli=$(readlink -f "$(command -v npm)")
gyp="$(dirname "$npm_cli")/../node_modules/node-gyp/bin/node-gyp.js"
if [[ -f "$gyp" ]]; then
  gyp_command=(node "$gyp")
elif command -v node-gyp >/dev/null; then
  gyp_command=(node-gyp)
else
  echo "install.sh: no node-gyp (neither npm's own nor on PATH) to build the agent's addon" >&2
  exit 1
fi
node_dir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [[ ! -f "$node_dir/include/node/node.h" ]]; then
  echo "install.sh: no Node.js headers under $node_dir/include/node (Debian: libnode-dev)" >&2
  exit 1
fi
if ! (cd node_modules/stackimpact && "${gyp_command[@]}" rebuild --nodedir="$node_dir" --loglevel=error) >gyp.log 2>&1; then
  cat gyp.log >&2
  exit 1
fi
test -f node_modules/stackimpact/build/Release/stackimpact-addon.node
touch "$stamp"
