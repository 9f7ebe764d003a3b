"""What `communityhub run` and `communityhub aggregator run` share while their server runs.

Both serve with waitress in one process under systemd; this module holds no area code, so the district
aggregator can use it without loading the village's areas (docs/architecture.md).
"""

import contextlib
import signal
import threading


@contextlib.contextmanager
def sigterm_stops_serving():
    """Turn SIGTERM into SystemExit while serving.

    systemd stops the hub with SIGTERM, which by default ends the process on the spot; waitress treats
    SystemExit like Ctrl+C and returns, so the scheduled jobs are stopped cleanly after it.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def stop(signum, frame):
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
