# Shared by bin/demo and bin/check: create the virtual environment and install the project.
# Usage: source bin/_venv.sh ".[dev]"   (the pip target to install)
ensure_venv() {
  local target="$1"
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installation de python3-venv (Debian)..."
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
      else
        echo "Impossible de créer l'environnement virtuel : installez python3-venv (apt-get install python3-venv)." >&2
        exit 1
      fi
    fi
  fi
  local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${target//[^a-z]/}"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e "$target"
    touch "$stamp"
  fi
}
