"""The `communityhub` entry point when it serves: glibc's allocator tuned at start, and what starting left free
in the heap handed back to the system once the hub listens (hub.launch)."""

import platform
import subprocess
import sys

import pytest

PROBE = """
import re
from hub import launch

def resident_kb():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

launch.tune_allocator()
pinned, freed = [], []
for _ in range(2000):  # 32 MB in blocks from the heap, each held in place by a small block kept after it
    freed.append(bytearray(16384))
    pinned.append(bytearray(600))
freed.clear()
before = resident_kb()
trimmed = launch.trim()
print(trimmed, before - resident_kb())
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's (elsewhere trim() is False)")
def test_trim__hands_the_free_middle_of_the_heap_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    trimmed, returned_kb = done.stdout.split()
    assert trimmed == "True" and int(returned_kb) > 16 * 1024  # of the 32 MB freed, most was still resident
