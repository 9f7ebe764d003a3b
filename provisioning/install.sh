#!/bin/sh
# Install or update Community Hub on a Raspberry Pi (Raspberry Pi OS Bookworm, arm64; Pi 3B+, 4, 5).
#
#   sudo sh install.sh [--wheels DIR] [--dry-run]
#
# Idempotent: running it again leaves the same result, and changes only what differs. Without internet,
# --wheels DIR installs from a folder of wheels (the project's and its dependencies', on a USB stick).
# --dry-run prints every action it would take and changes nothing (no root needed).
# It refuses to finish while any account that can log in has a known default password.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE=$(dirname "$HERE")                       # the project checkout this script belongs to
INSTALL_DIR=/opt/communityhub
DATA_DIR=/var/lib/communityhub
HUB_USER=communityhub
SHADOW=${COMMUNITYHUB_SHADOW:-/etc/shadow}      # overridable for tests
DEBIAN_PACKAGES="python3 python3-venv sqlite3 network-manager avahi-daemon perl polkitd"
# Passwords that ship with images and tutorials; an account's own name is tried too.
KNOWN_DEFAULTS="raspberry pi password 123456 12345678 admin changeme root toor"
DRY_RUN=0
WHEELS=""

say() { printf '%s\n' "$*"; }
die() { code=$1; shift; say "install.sh: $*" >&2; exit "$code"; }
run() {
    if [ "$DRY_RUN" = 1 ]; then say "would run: $*"; else say "+ $*"; "$@"; fi
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --wheels) [ $# -ge 2 ] || die 2 "--wheels needs a folder"; WHEELS=$2; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) die 2 "unknown option $1 (see --help)" ;;
    esac
    shift
done
[ "$DRY_RUN" = 1 ] || [ "$(id -u)" = 0 ] || die 2 "run it as root: sudo sh $0"
[ -z "$WHEELS" ] || [ -d "$WHEELS" ] || die 2 "--wheels $WHEELS is not a folder"

# 1. No default passwords anywhere: a hub on a Wi-Fi anyone can join must not keep "pi/raspberry".
check_passwords() {
    [ -r "$SHADOW" ] || die 2 "cannot read $SHADOW to check for default passwords"
    weak=""
    while IFS=: read -r name hash _rest; do
        case "$hash" in
            "") weak="$weak $name(no-password)"; continue ;;
            '!'*|'*'*) continue ;;              # locked: cannot log in with a password
        esac
        for word in $KNOWN_DEFAULTS "$name"; do
            if perl -e 'exit(crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? 0 : 1)' "$word" "$hash"; then
                weak="$weak $name"
                break
            fi
        done
    done < "$SHADOW"
    if [ -n "$weak" ]; then
        die 3 "these accounts have a known default password or none:$weak. Change each with" \
              "\`sudo passwd NAME\` (or lock it with \`sudo passwd -l NAME\`), then run install.sh again."
    fi
    say "ok: no account has a known default password"
    if command -v sshd >/dev/null 2>&1 && sshd -T 2>/dev/null | grep -qi '^passwordauthentication yes'; then
        say "note: SSH accepts passwords; every password was checked above. Keys only is safer:" \
            "set PasswordAuthentication no in /etc/ssh/sshd_config.d/."
    fi
}

install_packages() {
    missing=""
    for package in $DEBIAN_PACKAGES; do
        dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
    done
    if [ -n "$missing" ]; then
        run apt-get install -y --no-install-recommends $missing
    else
        say "ok: Debian packages installed"
    fi
}

create_user_and_folders() {
    if id "$HUB_USER" >/dev/null 2>&1; then
        say "ok: user $HUB_USER exists"
    else
        run adduser --system --group --home "$DATA_DIR" --no-create-home "$HUB_USER"
    fi
    run install -d -o "$HUB_USER" -g "$HUB_USER" -m 0700 "$DATA_DIR"
    run install -d -o root -g root -m 0755 "$INSTALL_DIR"
}

install_project() {
    [ -x "$INSTALL_DIR/venv/bin/python" ] || run python3 -m venv "$INSTALL_DIR/venv"
    if [ -n "$WHEELS" ]; then
        run "$INSTALL_DIR/venv/bin/pip" install --no-index --find-links "$WHEELS" --upgrade communityhub
    else
        run "$INSTALL_DIR/venv/bin/pip" install --upgrade "$SOURCE"
    fi
    # As the hub's user: creates or upgrades the data folder (key, settings, database, migrations).
    run runuser -u "$HUB_USER" -- env COMMUNITYHUB_DATA_DIR="$DATA_DIR" "$INSTALL_DIR/venv/bin/communityhub" init
}

install_configuration() {
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    run runuser -u "$HUB_USER" -- env COMMUNITYHUB_DATA_DIR="$DATA_DIR" \
        "$INSTALL_DIR/venv/bin/communityhub" provision render --out "$staging"
    changed=0
    for file in etc/systemd/system/communityhub.service etc/systemd/system/communityhub-backup.service \
                etc/systemd/system/communityhub-backup.timer usr/local/sbin/communityhub-backup-to-sticks \
                etc/NetworkManager/system-connections/communityhub-ap.nmconnection \
                etc/NetworkManager/dnsmasq-shared.d/communityhub-captive.conf \
                etc/systemd/journald.conf.d/communityhub.conf \
                usr/local/sbin/communityhub-set-clock etc/polkit-1/rules.d/50-communityhub-clock.rules \
                etc/udev/rules.d/99-communityhub-usb.rules etc/systemd/system/communityhub-usb-mount@.service \
                usr/local/sbin/communityhub-usb-mount etc/tmpfiles.d/communityhub-media.conf; do
        if [ "$DRY_RUN" = 0 ] && cmp -s "$staging/$file" "/$file"; then
            continue                            # unchanged: leave it (and its services) alone
        fi
        case "$file" in
            *.nmconnection) mode=0600 ;;
            usr/local/sbin/*) mode=0755 ;;
            *) mode=0644 ;;
        esac
        run install -D -o root -g root -m "$mode" "$staging/$file" "/$file"
        case "$file" in
            *journald.conf.d/*) run systemctl restart systemd-journald.service ;;  # the log limits apply now
            *tmpfiles.d/*) run systemd-tmpfiles --create "/$file" ;;  # the sticks' folder exists now
            *udev/rules.d/*) run udevadm control --reload ;;  # sticks plugged in from now on are mounted
        esac
        changed=1
    done
    [ "$changed" = 1 ] || say "ok: configuration unchanged"
    hostname=$(cat "$staging/etc/hostname" 2>/dev/null || echo hub)
    if [ "$DRY_RUN" = 1 ] || [ "$(hostname)" != "$hostname" ]; then
        run hostnamectl set-hostname "$hostname"
    fi
}

start_services() {
    run systemctl daemon-reload
    run systemctl enable --now avahi-daemon.service communityhub.service communityhub-backup.timer
    run systemctl restart communityhub.service
    run nmcli connection reload
    run nmcli connection up communityhub-ap
}

check_passwords
install_packages
create_user_and_folders
install_project
install_configuration
start_services
if [ "$DRY_RUN" = 1 ]; then
    say "dry run: nothing was changed."
else
    say "Community Hub is installed. Join its Wi-Fi and open http://${hostname:-hub}.local/ (or any web page)."
    say "The Wi-Fi passphrase is in $DATA_DIR/wifi-passphrase; \`communityhub doctor\` checks the hub."
    say "Phones that should work away from the hub: sign in, open /phone-setup (village certificate, https)."
fi
