#!/usr/bin/env bash
# Run the course on a Python that this Debian machine does not package (3.14, 3.15, ...).
#
# Debian's unstable suite ("sid") has python3.14 and python3.15. They need a newer C library than a
# Debian stable machine has, so they run in a sid chroot, built once with mmdebstrap from the same
# Debian archive that this machine's apt already uses. The project's directory is mounted into the
# chroot at /project, so the tests run on the code as it is now. Needs root (mount, chroot) and apt.
#
#   tools/sid-python.sh available            exit 0 if this machine can build the chroot
#   tools/sid-python.sh setup                build the chroot (once; later calls only refresh certificates)
#   tools/sid-python.sh venv 3.14            a venv with the course installed (again when its dependencies change)
#   tools/sid-python.sh run 3.14 CMD...      run CMD in the project directory with that venv active
#   tools/sid-python.sh test 3.14            the library tests and every notebook, default start method and spawn
#   tools/sid-python.sh shell 3.14           an interactive shell there
#
# Settings (environment): SID_PYTHON_ROOT, the chroot's directory (default ~/.cache/conclib/sid-chroot);
# SID_PYTHON_MIRROR, the archive's URL (default: the first Debian archive in this machine's apt sources);
# SID_PYTHON_PACKAGES, extra Debian packages for the chroot; SID_PYTHON_PROJECT, the project directory
# mounted at /project (default: the one this script is in).
set -euo pipefail

ROOT="${SID_PYTHON_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/conclib/sid-chroot}"
PROJECT="$(cd "${SID_PYTHON_PROJECT:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
VERSIONS=(3.14 3.15)   # the Pythons installed in the chroot
PACKAGES="ca-certificates"
for v in "${VERSIONS[@]}"; do PACKAGES+=" python$v python$v-venv"; done
PACKAGES+=" ${SID_PYTHON_PACKAGES:-}"
STAMP="$ROOT/.conclib-chroot"

die() { echo "sid-python: $*" >&2; exit 1; }
say() { echo "sid-python: $*" >&2; }

# The URL of the Debian archive in this machine's apt sources (one-line .list and deb822 .sources files).
mirror() {
    if [[ -n "${SID_PYTHON_MIRROR:-}" ]]; then echo "$SID_PYTHON_MIRROR"; return; fi
    local files=() f url
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] && files+=("$f")
    done
    ((${#files[@]})) || die "no apt sources found in /etc/apt; set SID_PYTHON_MIRROR to a Debian archive URL"
    url="$(awk '
        /^[[:space:]]*#/ { next }
        $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }
        $1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }
    ' "${files[@]}" | sed 's:/*$::' | grep -E '/debian$' | head -n1)"
    [[ -n "$url" ]] || die "no Debian archive (a URL ending in /debian) in this machine's apt sources; set SID_PYTHON_MIRROR"
    echo "$url"
}

available() {
    [[ "$(uname -s)" == Linux && "$(id -u)" == 0 ]] || return 1
    command -v mmdebstrap >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1 || return 1
    mirror >/dev/null 2>&1
}

# Copy what pip and apt need from this machine: local CA certificates, pip's configuration, DNS.
refresh() {
    local changed=0 f
    if [[ -d /usr/local/share/ca-certificates ]] &&
        ! diff -rq /usr/local/share/ca-certificates "$ROOT/usr/local/share/ca-certificates" >/dev/null 2>&1; then
        rm -rf "$ROOT/usr/local/share/ca-certificates"
        cp -a /usr/local/share/ca-certificates "$ROOT/usr/local/share/"
        changed=1
    fi
    ((changed)) && chroot "$ROOT" update-ca-certificates --fresh >/dev/null
    rm -rf "$ROOT/etc/pip.conf" "$ROOT/etc/xdg/pip" "$ROOT/root/.config/pip"
    [[ -f /etc/pip.conf ]] && cp -a /etc/pip.conf "$ROOT/etc/pip.conf"
    [[ -d /etc/xdg/pip ]] && mkdir -p "$ROOT/etc/xdg" && cp -a /etc/xdg/pip "$ROOT/etc/xdg/"
    [[ -d "$HOME/.config/pip" ]] && mkdir -p "$ROOT/root/.config" && cp -a "$HOME/.config/pip" "$ROOT/root/.config/"
    for f in /etc/resolv.conf /etc/hosts; do
        [[ -f "$f" ]] && cp -L "$f" "$ROOT$f"
    done
    return 0
}

setup() {
    [[ "$(id -u)" == 0 ]] || die "needs root (mmdebstrap, mount and chroot)"
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$PACKAGES" ]]; then
        refresh
        return
    fi
    if ! command -v mmdebstrap >/dev/null 2>&1; then
        say "installing mmdebstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
    fi
    local url opts=() line
    url="$(mirror)"
    # The host's relaxed date checks (e.g. for an archive that is a fixed snapshot) apply in the chroot too.
    while IFS= read -r line; do
        [[ -n "$line" ]] && opts+=(--aptopt="${line%;}")
    done < <(apt-config dump | grep -E '^Acquire::Check-' || true)
    say "building a Debian sid chroot in $ROOT from $url (about a minute)"
    rm -rf "$ROOT.tmp"
    mkdir -p "$(dirname "$ROOT")"
    mmdebstrap --quiet --variant=apt "${opts[@]}" --include="${PACKAGES// /,}" sid "$ROOT.tmp" "$url"
    rm -rf "$ROOT"
    mv "$ROOT.tmp" "$ROOT"
    refresh
    echo "$PACKAGES" >"$STAMP"
}

check_version() {
    [[ " ${VERSIONS[*]} " == *" $1 "* ]] || die "unknown version '$1'; the chroot has ${VERSIONS[*]}"
}

# The existing directories outside /etc that pip's configuration files and PIP_* variables name
# (for a local index .../simple, its parent: the index's links point next to it).
pip_dirs() {
    local files=() f
    for f in /etc/pip.conf /etc/xdg/pip/pip.conf "$HOME/.config/pip/pip.conf" "$HOME/.pip/pip.conf"; do
        [[ -f "$f" ]] && files+=("$f")
    done
    { ((${#files[@]})) && cat "${files[@]}"; compgen -e | grep '^PIP_' | while read -r f; do echo "${!f}"; done; } |
        grep -oE '(file://)?/[^[:space:]"'"'"',]+' | sed 's|^file://||; s|/*$||; s|/simple$||' | sort -u |
        while read -r f; do
            [[ -d "$f" && "$f" != /etc && "$f" != /etc/* ]] && echo "$f"
        done
    return 0
}

# Run a command in the chroot, in a private mount namespace (its mounts disappear when it ends).
in_chroot() {
    local env=(HOME=/root LANG=C.UTF-8 "PATH=${CHROOT_VENV:+$CHROOT_VENV/bin:}/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
    [[ -n "${CHROOT_VENV:-}" ]] && env+=("VIRTUAL_ENV=$CHROOT_VENV")
    local name
    while IFS= read -r name; do
        env+=("$name=${!name}")
    done < <(compgen -e | grep -E '^(PIP_|CONCLIB_|PYTEST_|PYTHON|TERM$|COLUMNS$|https?_proxy$|HTTPS?_PROXY$|no_proxy$|NO_PROXY$)' || true)
    # Local directories that pip's settings name (find-links, file:// indexes) are mounted read-only.
    local binds=() dir
    for dir in $(pip_dirs); do
        binds+=("$dir")
    done
    unshare --mount --propagation private -- bash -euc '
        root=$1 project=$2 nbinds=$3; shift 3
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount --rbind /sys "$root/sys"
        mkdir -p "$root/project"
        mount --bind "$project" "$root/project"
        for ((i = 0; i < nbinds; i++)); do
            mkdir -p "$root$1"; mount --bind -o ro "$1" "$root$1"; shift
        done
        exec chroot "$root" /usr/bin/env -i "$@"
    ' bash "$ROOT" "$PROJECT" "${#binds[@]}" "${binds[@]}" "${env[@]}" \
        /bin/bash -c 'cd /project && exec "$@"' bash "$@"
}

venv() {
    check_version "$1"
    mkdir -p "$(dirname "$ROOT")"
    exec 9>"$ROOT.lock"
    flock 9   # one build or install at a time
    setup
    local dir="/opt/venv-$1" want
    # installed again when what pip installs changes: the build system and the dependencies
    want="$(chroot "$ROOT" "python$1" -c 'import json, sys, tomllib
d = tomllib.load(sys.stdin.buffer)
p = d.get("project", {})
print(json.dumps([d.get("build-system"), p.get("dependencies"), p.get("optional-dependencies")]))' \
        <"$PROJECT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [[ "$(cat "$ROOT$dir/.installed" 2>/dev/null)" == "$want" ]]; then exec 9>&-; return; fi
    say "installing the course into a Python $1 venv in the chroot"
    rm -rf "${ROOT:?}$dir"
    in_chroot "python$1" -m venv "$dir"
    in_chroot "$dir/bin/python" -m pip install --quiet --upgrade pip
    in_chroot "$dir/bin/python" -m pip install --quiet -e ".[dev]"
    echo "$want" >"$ROOT$dir/.installed"
    exec 9>&-   # closing it releases the lock
}

run() {
    venv "$1"
    local dir="/opt/venv-$1"
    shift
    (($#)) || die "run: which command? e.g. run 3.14 python -m pytest tests/test_models.py"
    CHROOT_VENV="$dir" in_chroot "$@"
}

# The same tests as noxfile.py's session: the library, then every notebook, default start method and spawn
# (with CONCLIB_TEST_ALL=short, as there: checks graded in English, the English notebooks, default method).
# All of them run, so one failure does not hide another.
test_all() {
    local v=$1 pytest=(python -m pytest -p no:cacheprovider) failed=()
    run "$v" python -VV
    if [[ "${CONCLIB_TEST_ALL:-}" == short ]]; then
        CONCLIB_TEST_LANGUAGES=en run "$v" "${pytest[@]}" tests --ignore=tests/browser || failed+=("library tests")
        CONCLIB_SCALE=quick run "$v" "${pytest[@]}" --nbval-lax --nbval-current-env notebooks --ignore=notebooks/ru ||
            failed+=("notebooks")
        ((${#failed[@]} == 0)) || die "failed on Python $v: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
        return
    fi
    run "$v" "${pytest[@]}" tests --ignore=tests/browser || failed+=("library tests")
    CONCLIB_SCALE=quick run "$v" "${pytest[@]}" --nbval-lax --nbval-current-env notebooks || failed+=("notebooks")
    CONCLIB_START_METHOD=spawn CONCLIB_SCALE=quick run "$v" "${pytest[@]}" --nbval-lax --nbval-current-env notebooks ||
        failed+=("notebooks under spawn")
    ((${#failed[@]} == 0)) || die "failed on Python $v: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
}

case "${1:-}" in
available) available ;;
setup) setup ;;
venv) venv "${2:?which version? e.g. 3.14}" ;;
run) run "${2:?which version? e.g. 3.14}" "${@:3}" ;;
test) test_all "${2:?which version? e.g. 3.14}" ;;
shell) run "${2:?which version? e.g. 3.14}" bash ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac; exit  # nothing after this line is read, so editing this file never affects a running call
