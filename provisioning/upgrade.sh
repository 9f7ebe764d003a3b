#!/bin/sh
# Upgrade an installed hub from a folder of wheels (a USB stick; no internet needed).
#
#   sudo sh upgrade.sh --wheels DIR [--dry-run]
#
# Backs up the database first, keeps the current installation, installs the new version, restarts the hub
# (which applies new migrations at start) and checks /healthz. If the new version does not answer 200
# within a minute, it puts the previous installation and the backed-up database back, and says so.
set -eu

INSTALL_DIR=${COMMUNITYHUB_INSTALL_DIR:-/opt/communityhub}
DATA_DIR=${COMMUNITYHUB_DATA_DIR:-/var/lib/communityhub}
HUB_USER=communityhub
HEALTH_URL=http://127.0.0.1/healthz
BACKUPS="$DATA_DIR/backups-before-upgrade"
DRY_RUN=0
WHEELS=""

say() { printf '%s\n' "$*"; }
die() { code=$1; shift; say "upgrade.sh: $*" >&2; exit "$code"; }
run() {
    if [ "$DRY_RUN" = 1 ]; then say "would run: $*"; else say "+ $*"; "$@"; fi
}
as_hub() { run runuser -u "$HUB_USER" -- env COMMUNITYHUB_DATA_DIR="$DATA_DIR" "$INSTALL_DIR/venv/bin/communityhub" "$@"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --wheels) [ $# -ge 2 ] || die 2 "--wheels needs a folder"; WHEELS=$2; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
    shift
done
[ -n "$WHEELS" ] || die 2 "say where the new version is: --wheels DIR"
[ -d "$WHEELS" ] || die 2 "--wheels $WHEELS is not a folder"
[ "$DRY_RUN" = 1 ] || [ "$(id -u)" = 0 ] || die 2 "run it as root: sudo sh $0 --wheels $WHEELS"
[ "$DRY_RUN" = 1 ] || [ -x "$INSTALL_DIR/venv/bin/communityhub" ] || die 2 "no hub installed in $INSTALL_DIR: run install.sh"

healthy() {
    [ "$DRY_RUN" = 0 ] || { say "would check: $HEALTH_URL answers 200 within 60 s"; return 0; }
    tries=0
    while [ "$tries" -lt 30 ]; do
        if "$INSTALL_DIR/venv/bin/python" -c "import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen('$HEALTH_URL', timeout=5).status == 200 else 1)
except Exception:
    sys.exit(1)"; then
            return 0
        fi
        tries=$((tries + 1))
        sleep 2
    done
    return 1
}

# 1. A backup, taken while the hub still runs the old version.
as_hub backup --to "$BACKUPS" --keep 3
if [ "$DRY_RUN" = 1 ]; then
    backup="$BACKUPS/<the newest backup>"
else
    backup=$(ls "$BACKUPS"/hub-*.sqlite3 | sort | tail -n 1)
fi
# 2. The current installation, kept whole for a rollback.
run rm -rf "$INSTALL_DIR/venv.previous"
run cp -a "$INSTALL_DIR/venv" "$INSTALL_DIR/venv.previous"
# 3. The new version, then a restart: the hub migrates its database at start.
run "$INSTALL_DIR/venv/bin/pip" install --no-index --find-links "$WHEELS" --upgrade communityhub
run systemctl restart communityhub.service
if [ "$DRY_RUN" = 1 ]; then
    healthy
    say "If it did not answer: it would stop the hub, put $INSTALL_DIR/venv.previous back, restore $backup"
    say "and start the hub again."
    say "dry run: nothing was changed."
    exit 0
fi
if healthy; then
    say "Upgraded: $("$INSTALL_DIR/venv/bin/communityhub" --version 2>/dev/null || echo 'new version') answers $HEALTH_URL."
    say "The previous installation is kept in $INSTALL_DIR/venv.previous; the backup in $backup."
    exit 0
fi
# 4. Roll back: the previous installation and the database as it was before the upgrade.
say "The new version does not answer $HEALTH_URL: rolling back." >&2
run systemctl stop communityhub.service
run rm -rf "$INSTALL_DIR/venv"
run mv "$INSTALL_DIR/venv.previous" "$INSTALL_DIR/venv"
as_hub restore --yes "$backup"
run systemctl start communityhub.service
if healthy; then
    die 1 "rolled back to the previous version, which answers again. Keep the journal (journalctl -u communityhub) for whoever made the new version."
fi
die 1 "rolled back, but the hub still does not answer: run \`communityhub doctor\` as the hub's user."
