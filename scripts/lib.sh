# Shared by scripts/demo and scripts/test: where things are, and the Python
# environment. Sourced, not run.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Odoo 18.0 source checkout (not part of this repository).
ODOO_SRC=${ODOO_SRC:-/opt/odoo18}
VENV=${VENV:-$REPO_ROOT/.venv}
PY=$VENV/bin/python
ADDONS_PATH="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO_ROOT"
OUR_ADDONS=esign_timestamp,esign_hsm,esign_municipal
DB_HOST=${PGHOST:-127.0.0.1}
DB_PORT=${PGPORT:-5432}
DB_USER=${PGUSER:-$(id -un)}

die() { echo "error: $*" >&2; exit 1; }

# Debian packages the product and its tests need: the HSM, the independent
# PDF checkers, the browser for portal tours, CJK fonts for stamps and
# filled fields, libpq for psycopg2.
DEBIAN_PACKAGES=(softhsm2 poppler-utils libnss3-tools qpdf chromium fonts-ipaexfont fonts-noto-cjk fonts-morisawa-bizud-gothic libpq-dev python3-venv wkhtmltopdf)

install_system_packages() {
    local missing=() pkg
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    command -v apt-get >/dev/null || die "install these packages with your system's package manager: ${missing[*]}"
    echo "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

odoo_present() { [ -f "$ODOO_SRC/odoo-bin" ] && grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" 2>/dev/null; }

# The Python environment: Odoo's requirements minus the pins that clash
# with pyHanko (cryptography, pyopenssl, urllib3) and python-ldap (only auth_ldap
# needs it), then ours. Re-run only when either list changes.
setup_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want=$(cat "$ODOO_SRC/requirements.txt" "$REPO_ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    [ -x "$PY" ] || python3 -m venv "$VENV"
    local odoo_reqs="$VENV/odoo-requirements.txt"
    grep -viE '^(cryptography|pyopenssl|urllib3|python-ldap)\b' "$ODOO_SRC/requirements.txt" > "$odoo_reqs"
    # Some of Odoo's pinned sdists (cbor2 5.4.2) still import pkg_resources
    # in their build step, which setuptools 81 removed.
    local build_pins="$VENV/build-constraints.txt"
    echo 'setuptools<81' > "$build_pins"
    echo "Installing Python dependencies into $VENV ..."
    PIP_CONSTRAINT="$build_pins" "$PY" -m pip install -q --disable-pip-version-check \
        -r "$odoo_reqs" -r "$REPO_ROOT/requirements-test.txt"
    echo "$want" > "$stamp"
}

# esign_hsm wraps every document key with a key-encryption key (KEK) kept
# outside the database, in a file the server configuration names
# (esign_kek_file). Odoo reads such options only from a config file, so the
# scripts write one (ESIGN_ODOO_CONF) next to the key; odoo_bin passes it.
ensure_kek_file() {
    local kek=$1
    [ -f "$kek" ] && return 0
    mkdir -p "$(dirname "$kek")"
    (umask 077 && "$PY" -c 'import base64, os, sys; open(sys.argv[1], "xb").write(base64.b64encode(os.urandom(32)) + b"\n")' "$kek")
}

write_odoo_conf() {
    local conf=$1 kek=$2
    ensure_kek_file "$kek"
    kek=$(cd "$(dirname "$kek")" && pwd)/$(basename "$kek")
    printf '[options]\nesign_kek_file = %s\n' "$kek" > "$conf"
}

odoo_bin() {
    # odoo-bin only finds a subcommand (shell, ...) right after --addons-path.
    local command=()
    case "${1:-}" in -*|"") ;; *) command=("$1"); shift ;; esac
    "$PY" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" ${command[@]+"${command[@]}"} \
        ${ESIGN_ODOO_CONF:+-c "$ESIGN_ODOO_CONF"} \
        --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" "$@"
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
