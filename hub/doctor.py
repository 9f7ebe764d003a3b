"""`communityhub doctor`: checks of the data folder, database, disk and clock, each with a fix; and the
signs an operator looks for on a Pi in a village: a wearing SD card, the last backup, the last delivery of
the monthly summaries to the district."""

import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import peewee

from hub import clock, db, migrations, storage
from hub.instance import SECRET_KEY_FILE, database_path, look_for_a_lost_log, setup_code

# Where backups are written: the sticks the nightly timer finds (templates/provisioning/
# communityhub-backup-to-sticks) and a backups folder in the data folder.
BACKUP_GLOBS = ("/media/*/communityhub-backups", "/media/*/*/communityhub-backups", "/mnt/*/communityhub-backups")
BACKUP_TIMER_STAMP = "/var/lib/systemd/timers/stamp-communityhub-backup.timer"
BACKUP_MAX_AGE_DAYS = 7
DELIVERY_MAX_AGE_DAYS = 45  # a month's summary plus two weeks of a road being cut
# eMMC / SD wear estimates in sysfs (JEDEC: 0x01 = 0-10% used ... 0x0A = 90-100%, 0x0B = exceeded).
MMC_DEVICE = "/sys/block/mmcblk0/device"


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    detail: str
    fix: str = ""


def check_data_dir(data_dir):
    path = Path(data_dir)
    if not path.is_dir():
        return Finding(False, "data folder", f"{path} does not exist",
                       "run `communityhub init` (or set COMMUNITYHUB_DATA_DIR to the right folder)")
    if not os.access(path, os.W_OK):
        return Finding(False, "data folder", f"{path} is not writable",
                       "give the hub's user write access to the folder")
    return Finding(True, "data folder", str(path))


def check_secret_key(data_dir):
    path = Path(data_dir) / SECRET_KEY_FILE
    if not path.exists():
        return Finding(False, "secret key", "missing", "run `communityhub init`")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(False, "secret key", f"permissions are {mode:o}", f"chmod 600 {path}")
    return Finding(True, "secret key", "present, readable by the owner only")


def check_database(data_dir):
    """The database is there, SQLite can read all of it, and its migrations are applied; else how to restore."""
    path = database_path(data_dir)
    look_for_a_lost_log(data_dir)
    lost = storage.lost_database(data_dir)
    if lost:
        return Finding(False, "database", lost.split(": starting")[0], storage.restore_advice(data_dir))
    if not path.exists():
        return Finding(False, "database", "missing", "run `communityhub init`")
    ok, message = db.check(path, "integrity_check")
    if not ok:
        return Finding(False, "database", f"integrity check failed: {message}",
                       f"stop the hub (systemctl stop communityhub), then {storage.restore_advice(data_dir)}")
    try:
        db.init(path)
        with db.database.connection_context():
            waiting = migrations.pending(db.database)
    except (sqlite3.Error, peewee.DatabaseError, OSError) as exc:
        return Finding(False, "database", f"cannot be read: {exc}",
                       f"stop the hub (systemctl stop communityhub), then {storage.restore_advice(data_dir)}")
    if waiting:
        return Finding(False, "database", f"{len(waiting)} migration(s) not applied",
                       "run `communityhub init`")
    return Finding(True, "database", f"integrity ok, SQLite {db.sqlite_version()}")


def check_wal(data_dir):
    """Whether the write-ahead log vanished after an unclean stop (recorded at start by hub.storage)."""
    message = storage.wal_lost(data_dir)
    if message:
        return Finding(False, "write-ahead log", message,
                       "check the records saved just before the stop and enter again what is missing; then "
                       f"delete {Path(data_dir) / storage.WAL_LOST_FILE}")
    return Finding(True, "write-ahead log", "no log lost after an unclean stop")


def check_setup(data_dir):
    from hub.auth.service import coordinator_exists

    try:
        with db.database.connection_context():
            if coordinator_exists():
                return Finding(True, "set-up", "done: the hub has a coordinator")
    except peewee.DatabaseError as exc:
        return Finding(False, "set-up", f"cannot be read: {exc}", storage.restore_advice(data_dir))
    return Finding(False, "set-up", f"waiting: nobody has set up this hub yet; set-up code {setup_code(data_dir)}",
                   "open the hub in a browser, go to /setup and enter the set-up code")


def check_disk(data_dir, min_free_mb):
    path = Path(data_dir)
    free_mb = shutil.disk_usage(path if path.exists() else path.parent).free // (1024 * 1024)
    if free_mb < min_free_mb:
        return Finding(False, "disk space", f"{free_mb} MB free",
                       "delete old backups or move them to a USB stick")
    return Finding(True, "disk space", f"{free_mb} MB free")


def check_clock(now):
    if not clock.is_plausible(now):
        return Finding(False, "clock", f"the hub believes it is {now:%Y-%m-%d %H:%M}",
                       "set the date: `sudo date -s 'YYYY-MM-DD HH:MM'`, or connect to a network once")
    return Finding(True, "clock", f"{now:%Y-%m-%d %H:%M} (plausible; the Pi has no real-time clock)")


def _read(path):
    try:
        return Path(path).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def check_disk_wear(device=MMC_DEVICE):
    """The card's own wear estimate where it reports one (eMMC, some industrial SD cards), or "not available"
    (most SD cards report nothing: then the kernel's I/O errors are the only sign)."""
    device = Path(device)
    life_time, pre_eol = _read(device / "life_time"), _read(device / "pre_eol_info")
    if life_time is None and pre_eol is None:
        errors = _io_errors(device)
        if errors:
            return Finding(False, "disk wear", f"the kernel counted {errors} I/O error(s) on the card",
                           "back up now (`communityhub backup --to /media/...`) and replace the SD card")
        return Finding(True, "disk wear", "not available (the card reports no wear estimate)")
    try:
        used = max(int(value, 16) for value in (life_time or "0").split())
        eol = int(pre_eol or "0", 16)
    except ValueError:
        return Finding(True, "disk wear", f"not available (unreadable: {life_time!r} {pre_eol!r})")
    if used >= 0x0B or eol >= 0x03:
        return Finding(False, "disk wear", "the card says it is worn out",
                       "back up now and replace the SD card (an industrial or high-endurance card lasts longer)")
    if used >= 0x09 or eol == 0x02:
        return Finding(False, "disk wear", f"the card says {(used - 1) * 10}-{used * 10}% of its life is used",
                       "plan to replace the SD card; keep the nightly backups on a USB stick")
    detail = f"{max(used - 1, 0) * 10}-{used * 10}% of its life used" if used else "no wear reported"
    return Finding(True, "disk wear", detail)


def _io_errors(device):
    """I/O errors the kernel counted for the device (the SCSI ioerr_cnt of USB disks), or 0."""
    text = _read(Path(device) / "ioerr_cnt")
    try:
        return int(text, 16) if text else 0
    except ValueError:
        return 0


def check_last_backup(data_dir, now, folders=None, stamp=BACKUP_TIMER_STAMP):
    """The newest backup on a mounted stick or in the data folder's backups/, else the nightly timer's stamp.
    No backup at all is a problem too: until one exists, a damaged card loses everything."""
    if folders is None:
        folders = storage.backup_folders(data_dir)
    newest = storage.newest_backup(folders)
    if newest is not None:
        when, where = datetime.fromtimestamp(newest.stat().st_mtime), str(newest)
    elif Path(stamp).exists():
        when, where = datetime.fromtimestamp(Path(stamp).stat().st_mtime), "the nightly timer (no stick mounted now)"
    else:
        return Finding(False, "last backup", "none found: a damaged card would lose everything",
                       "make a folder communityhub-backups on a USB stick and leave it plugged in overnight, "
                       "or run `communityhub backup --to /media/...`")
    age = (now - when).days
    if age > BACKUP_MAX_AGE_DAYS:
        return Finding(False, "last backup", f"{when:%Y-%m-%d %H:%M}, {age} days ago ({where})",
                       "plug in the USB stick with the communityhub-backups folder, or run `communityhub backup`")
    return Finding(True, "last backup", f"{when:%Y-%m-%d %H:%M} ({where})")


def _parse_time(text):
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _delivery_rows(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        state = connection.execute("SELECT aggregator_url, last_run_at, last_outcome FROM federation_state "
                                   "WHERE id = 1").fetchone()
        delivered = connection.execute("SELECT MAX(delivered_at), COUNT(*) FROM outbox_bundle "
                                       "WHERE state = 'delivered'").fetchone()
    finally:
        connection.close()
    return state, delivered


def check_last_delivery(data_dir, now):
    """When the monthly summaries last reached the district, read with plain SQL (doctor must work on a
    database a migration has not reached yet: a missing table is "not set up")."""
    path = database_path(data_dir)
    if not path.is_file():
        return Finding(True, "summaries delivered", "not set up (no database)")
    try:
        state, delivered = _delivery_rows(path)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            return Finding(False, "summaries delivered", f"cannot be read: {exc}", storage.restore_advice(data_dir))
        return Finding(True, "summaries delivered", "not set up (sharing with the district is not installed)")
    except sqlite3.Error as exc:
        return Finding(False, "summaries delivered", f"cannot be read: {exc}", storage.restore_advice(data_dir))
    if state is None or not state[0]:
        return Finding(True, "summaries delivered", "not set up (the hub is not enrolled with a district)")
    last_delivered, count = _parse_time(delivered[0]), delivered[1]
    last_run, outcome = _parse_time(state[1]), state[2] or "none"
    run_text = f"last attempt {last_run:%Y-%m-%d %H:%M}: {outcome}" if last_run else "no attempt yet"
    if last_delivered is None:
        return Finding(outcome in ("ok", "none"), "summaries delivered", f"none yet; {run_text}",
                       "" if outcome in ("ok", "none") else "open Sharing on the hub to see why and send again")
    detail = f"{count} delivered, the last {last_delivered:%Y-%m-%d %H:%M}; {run_text}"
    if (now - last_delivered).days > DELIVERY_MAX_AGE_DAYS and outcome != "ok":
        return Finding(False, "summaries delivered", detail,
                       "open Sharing on the hub, or carry the month on a USB stick (`communityhub sharing ...`)")
    return Finding(True, "summaries delivered", detail)


def check_clock_reports(data_dir):
    """Whether a signed-in phone has said the hub's clock is wrong (hub.clockcheck's marker file)."""
    marker = Path(data_dir) / "clock-suspect"
    if not marker.exists():
        return Finding(True, "clock vs phones", "no phone has reported a different time")
    lines = (_read(marker) or "").splitlines() + ["?", "?"]
    return Finding(False, "clock vs phones", f"a phone said {lines[1]} when the hub said {lines[0]}",
                   "sign in as the coordinator and open /clock to set the hub's clock from the phone")


def check_certificate(data_dir, now):
    """The village CA and the HTTPS certificate (hub.tls): there, private keys 0600, made for the hub's names
    in its settings, signed by the CA, and how many days are left."""
    from cryptography.exceptions import InvalidSignature

    from hub import settings, tls

    name = "https certificate"
    found = tls.files(data_dir)
    if not (found.ca_cert.is_file() and found.cert.is_file() and found.key.is_file()):
        return Finding(False, name, "none: phones use plain http and cannot keep work away from the hub",
                       "run `communityhub tls init`, restart the hub, then set up each phone at /phone-setup")
    for key in (found.ca_key, found.key):
        mode = stat.S_IMODE(key.stat().st_mode) if key.exists() else 0
        if mode & 0o077:
            return Finding(False, name, f"{key.name} permissions are {mode:o}", f"chmod 600 {key}")
    try:
        authority, certificate = tls.load(found.ca_cert), tls.load(found.cert)
        certificate.verify_directly_issued_by(authority)
        names = tls.names_for(settings.load(data_dir))
    except (ValueError, TypeError, InvalidSignature, tls.TlsError, settings.SettingsError) as exc:
        return Finding(False, name, f"cannot be used: {exc}", "run `communityhub tls init`")
    current = tls.status(data_dir, now)
    detail = (f"for {current.certificate_names} until {current.certificate_ends:%Y-%m-%d}, {current.days_left} "
              f"days left; village CA {current.fingerprint}")
    if not tls.permits(authority, names):
        return Finding(False, name, f"the village CA cannot vouch for {names}, the hub's names in its settings",
                       "`communityhub tls init --new-ca`, then install the new CA on every phone (/phone-setup)")
    if tls.names_of(certificate) != names:
        return Finding(False, name, f"made for {current.certificate_names}, but the settings name the hub {names}",
                       "run `communityhub tls init` and restart the hub")
    if current.days_left < tls.RENEW_BEFORE.days:
        return Finding(False, name, detail + (": ended" if current.days_left < 0 else ": not renewed in time"),
                       "run `communityhub tls renew` and restart the hub (systemctl restart communityhub)")
    if current.authority_ends - now.astimezone(UTC) < tls.CA_WARN_BEFORE:
        return Finding(False, name, f"{detail}; the village CA ends on {current.authority_ends:%Y-%m-%d}",
                       "`communityhub tls init --new-ca`, then install the new CA on every phone (/phone-setup)")
    return Finding(True, name, detail)


def run_checks(data_dir, min_free_mb, now):
    """Every finding, in the order an operator should fix them."""
    findings = [check_data_dir(data_dir)]
    if findings[0].ok:
        findings += [check_secret_key(data_dir), check_database(data_dir)]
        if findings[-1].ok:
            findings.append(check_setup(data_dir))
        findings.append(check_wal(data_dir))
    findings += [check_disk(data_dir, min_free_mb), check_disk_wear(), check_clock(now)]
    if findings[0].ok:
        findings += [check_clock_reports(data_dir), check_last_backup(data_dir, now),
                     check_last_delivery(data_dir, now), check_certificate(data_dir, now)]
    return findings
