#!/usr/bin/env bash
# Installs everything the workbench needs on a fresh Debian machine (run as root), then
# (unless --no-run) builds the demo clients' deliverables into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # CJK font for charts, Chromium for the browser tests and screenshots;
  # Pango (+ HarfBuzz, fontconfig) for WeasyPrint's report.pdf; poppler-utils (pdftotext, pdffonts, pdftoppm)
  # for the PDF tests. apt-get install is idempotent: installed packages are left as they are.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    fonts-noto-cjk chromium chromium-driver \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig poppler-utils >/dev/null
fi
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test,dask]"  # dask: `workbench batch --scheduler` (optional extra, installed here)
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
if [ "${1:-}" != "--no-run" ]; then
  .venv/bin/workbench batch clients --out build --pdf
  echo "Deliverables: build/index.html and build/<client>/report.html (and report.pdf)"
fi
