"""Lockout is no weapon: failures hold back the device that failed, never the account's owner on their phone.

The shared throttle (hub/throttle.py) on an injected monotonic clock, then the hub's and the aggregator's
sign-in pages from several device addresses, and the console commands that unlock an account.
"""


from hub import throttle as throttle_module
from hub.throttle import ACCOUNT_FREE_FAILURES, FREE_FAILURES, Throttle
from tests.conftest import csrf_token

ATTACKER, OWNER = "10.42.0.66", "10.42.0.10"


def post_login(client, username, password, address):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_throttle__failures_on_one_device_never_hold_back_another():
    now = [1000.0]
    throttle = Throttle(now=lambda: now[0])
    for _ in range(FREE_FAILURES):
        throttle.fail("coordinator", ATTACKER)
    assert throttle.wait_seconds("coordinator", ATTACKER) == 60
    assert throttle.wait_seconds("coordinator", OWNER) == 0


def test_throttle__account_wide_limit_holds_back_only_devices_that_failed():
    now = [1000.0]
    throttle = Throttle(now=lambda: now[0])
    for index in range(ACCOUNT_FREE_FAILURES):  # a guesser changing address after each guess
        throttle.fail("coordinator", f"10.42.1.{index}")
    throttle.fail("coordinator", "10.42.2.1")
    assert throttle.wait_seconds("coordinator", "10.42.2.1") == 60  # one failure is enough now
    assert throttle.wait_seconds("coordinator", OWNER) == 0          # never failed: never held back


def test_throttle__an_attacker_renewing_every_hour_holds_back_only_itself():
    now = [1000.0]
    throttle = Throttle(now=lambda: now[0])
    for _ in range(40):
        wait = throttle.wait_seconds("coordinator", ATTACKER)
        now[0] += wait
        throttle.fail("coordinator", ATTACKER)
    assert throttle.wait_seconds("coordinator", ATTACKER) == throttle_module.LONGEST_LOCKOUT_SECONDS
    assert throttle.wait_seconds("coordinator", OWNER) == 0


def test_throttle__unlock_request_from_another_process_is_read_at_the_next_attempt(tmp_path):
    throttle = Throttle(now=lambda: 1000.0, unlock_folder=tmp_path / "unlock")
    for _ in range(FREE_FAILURES):
        throttle.fail("coordinator", OWNER)
    assert throttle.wait_seconds("coordinator", OWNER) == 60
    throttle_module.unlock_request(tmp_path / "unlock", "coordinator")
    assert throttle.wait_seconds("coordinator", OWNER) == 0
    assert list((tmp_path / "unlock").iterdir()) == []  # the request is used once


def test_throttle__memory_stays_bounded_under_invented_names(monkeypatch):
    monkeypatch.setattr(throttle_module, "MAX_ENTRIES", 100)
    throttle = Throttle(now=lambda: 1000.0)
    for index in range(1000):
        throttle.fail(f"name{index}", f"10.0.{index // 250}.{index % 250}")
    assert len(throttle._counts) <= 100


def test_hub_sign_in__owner_signs_in_while_an_attacker_is_locked_out(client):
    for _ in range(FREE_FAILURES):
        assert post_login(client, "coordinator", "wrong", ATTACKER).status_code == 401
    assert post_login(client, "coordinator", "secret-rotanidrooc-1", ATTACKER).status_code == 429
    assert post_login(client, "coordinator", "secret-rotanidrooc-1", OWNER).status_code == 302


def test_hub_user_unlock__clears_the_lock_of_the_running_hub(app, client, runner):
    for _ in range(FREE_FAILURES):
        post_login(client, "coordinator", "wrong", OWNER)
    assert post_login(client, "coordinator", "secret-rotanidrooc-1", OWNER).status_code == 429

    result = runner.invoke(["user", "unlock", "Coordinator"])

    assert result.exit_code == 0, result.output
    assert "Unlocked sign-in for 'coordinator'" in result.output
    assert post_login(client, "coordinator", "secret-rotanidrooc-1", OWNER).status_code == 302
    from hub.audit.models import AuditEvent

    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "sign_in.unlocked").count() == 1


def test_hub_user_unlock__unknown_account_is_an_error(app, runner):
    result = runner.invoke(["user", "unlock", "nobody"])
    assert result.exit_code == 1 and "There is no account named nobody" in result.output
