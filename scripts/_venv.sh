# Shared by scripts/serve and scripts/test: make .venv and install draftcut with the given extras,
# skipping pip when pyproject.toml has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=${1:-}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
# The web page's browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot run everywhere); install it where apt-get can.
if [[ ",$extras," == *",test,"* ]] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the web page tests (apt-get)..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
         { apt-get update -qq >/dev/null 2>&1 &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; }
  then
    echo "could not install chromium with apt-get (not root, or no network?): tests/web will fail;" \
         "install it with: apt-get install -y chromium" >&2
  fi
fi
