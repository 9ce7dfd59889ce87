#!/usr/bin/env bash
# The newcomer check: what a new user sees when following the README's quick start to the letter.
# Clones this repository (its committed HEAD) into a fresh folder, gives it a fresh HOME (so empty npx cache, empty
# pnpm store and metadata cache: everything downloads, as on a new machine), runs the README's first command's install
# exactly as written there, then its main job with a small --limit, and fails if either prints an error or warning
# line (`ERR!`, `npm warn`, pnpm's `WARN`, `Failed`, ...) or does not end as it should.
#
# usage: tools/install/newcomer-check.sh [--limit N] [--without-x11] [--keep]
#   --limit N      images per split for the main job (default 2000)
#   --without-x11  act as a machine without headless-gl's X11/GL build packages (pkg-config finds none of them), the
#                  usual newcomer machine; otherwise the machine is taken as it is (with the packages, gl is built).
#   --keep         keep the fresh folder (clone, HOME, logs) and print where it is
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
LIMIT=2000
WITHOUT_X11=0
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --limit) LIMIT="$2"; shift 2 ;;
    --without-x11) WITHOUT_X11=1; shift ;;
    --keep) KEEP=1; shift ;;
    *) echo "newcomer-check: unknown argument '$1' (allowed: --limit N, --without-x11, --keep)" >&2; exit 2 ;;
  esac
done

# The README's main-job line: the first command of the quick start's code block, `<install> && <main job>`.
COMMAND=$(awk '/^## Quick start/ { q = 1 } q && /^```sh/ { b = 1; next } b && /^```/ { exit } b && NF && !/^#/ { print; exit }' "$REPO/README.md")
INSTALL=${COMMAND%% && *}
JOB=${COMMAND#* && }
if [ -z "$COMMAND" ] || [ "$INSTALL" = "$COMMAND" ] || [[ "$INSTALL" != *" install" ]] || [[ "$JOB" != *" cnn train" ]]; then
  echo "newcomer-check: the README's quick start should start with '<install> && <... cnn train>'; found: '$COMMAND'" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cnn-newcomer.XXXXXX")
if [ "$KEEP" = 1 ]; then echo "newcomer-check: working in $WORK (kept)"; else trap 'rm -rf "$WORK"' EXIT; fi
mkdir -p "$WORK/home"
# Machine settings (registry, proxy, nodedir) carry over; caches and stores do not.
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$WORK/home/.npmrc"
git clone --quiet "$REPO" "$WORK/cnn"

newcomer() {
  # A new user's environment: fresh HOME, no CI, none of this machine's npm/pnpm/XDG settings.
  local unset_vars=(CI PNPM_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_CONFIG_HOME XDG_STATE_HOME)
  while IFS= read -r name; do unset_vars+=("$name"); done < <(env | sed -n 's/^\(npm_config_[^=]*\|pnpm_config_[^=]*\|NPM_CONFIG_[^=]*\)=.*/\1/p')
  local env_args=()
  for name in "${unset_vars[@]}"; do env_args+=(-u "$name"); done
  if [ "$WITHOUT_X11" = 1 ]; then
    mkdir -p "$WORK/no-pkgconfig"
    env_args+=(PKG_CONFIG_LIBDIR="$WORK/no-pkgconfig" PKG_CONFIG_PATH=)
  fi
  (cd "$WORK/cnn" && env "${env_args[@]}" HOME="$WORK/home" bash -c "$1") 2>&1
}

# Lines a newcomer would read as broken: npm's and pnpm's warnings, node-gyp's errors, failed steps, node's warnings.
ALARMING='ERR!|npm warn|npm WARN| WARN |^WARN|Failed|Warning:|[Ee]rror:'
check() { # name, output file, line that must be there
  local lines bad
  lines=$(wc -l < "$2")
  bad=$(grep -nE "$ALARMING" "$2" || true)
  echo "newcomer-check: $1: $lines lines of output:"
  sed 's/^/  | /' "$2"
  if [ -n "$bad" ]; then
    echo "newcomer-check: $1 printed error or warning lines:" >&2
    echo "$bad" >&2
    status=1
  fi
  if ! grep -qF "$3" "$2"; then
    echo "newcomer-check: $1 should have printed '$3'" >&2
    status=1
  fi
}

status=0
if [ "$WITHOUT_X11" = 1 ] || ! pkg-config --exists x11 xi xext gl 2>/dev/null; then
  expected="needs the build packages listed in packages/backend-gpu/README.md"
else
  expected="headless-gl built"
fi
start=$SECONDS
echo "newcomer-check: \$ $INSTALL   (fresh clone, fresh HOME$([ "$WITHOUT_X11" = 1 ] && echo ', no X11 build packages'))"
newcomer "$INSTALL" > "$WORK/install.log" || { cat "$WORK/install.log"; echo "newcomer-check: the install failed" >&2; exit 1; }
echo "newcomer-check: install took $((SECONDS - start)) s"
check install "$WORK/install.log" "$expected"
[ -d "$WORK/home/.local/share/pnpm/store" ] || { echo "newcomer-check: pnpm did not use the fresh store under $WORK/home" >&2; status=1; }

start=$SECONDS
echo "newcomer-check: \$ $JOB --limit $LIMIT"
newcomer "$JOB --limit $LIMIT" > "$WORK/job.log" || { cat "$WORK/job.log"; echo "newcomer-check: the main job failed" >&2; exit 1; }
echo "newcomer-check: main job took $((SECONDS - start)) s"
check "main job" "$WORK/job.log" "test accuracy:"

if [ "$status" -ne 0 ]; then exit 1; fi
echo "newcomer-check: the README's install and main job ran clean"
