#!/usr/bin/env python3
"""A handed-over shift of a given length on a copy of a database, and the
handover report made of it: the number of carry-over items (by section),
the size of the text and Markdown reports, and the time of the text
report, whole process, over a number of runs.

    handover_shift.py BINARY SOURCE.db COPY.db MINUTES [RUNS]

The shift is started now and then moved back MINUTES (its start and the
start of its window; the shift table's update trigger is dropped for that
one statement and put back as it was), then handed over now: its window
is the last MINUTES, as if the officer had been on duty that long.
"""
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

binary, source, copy, minutes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 15

for suffix in ("", "-wal", "-shm"):
    try:
        shutil.copy(source + suffix, copy + suffix)
    except FileNotFoundError:
        pass


def run(*args, officer="王静"):
    out = subprocess.run(
        [binary, "--db", copy, "--officer", officer, *args],
        capture_output=True,
        check=True,
    )
    return out.stdout.decode()


run("shift", "start")
db = sqlite3.connect(copy)
(trigger,) = db.execute(
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'shift_logged_update'"
).fetchone()
with db:
    db.execute("DROP TRIGGER shift_logged_update")
    db.execute(
        """UPDATE shift SET
             started_at = strftime('%Y-%m-%dT%H:%M:%fZ', started_at, ?1),
             window_from = strftime('%Y-%m-%dT%H:%M:%fZ', window_from, ?1)
           WHERE state = 'on_duty'""",
        (f"-{minutes} minutes",),
    )
    db.execute(
        """UPDATE shift SET from_seq = (SELECT COALESCE(MAX(seq), 0) FROM duty_log
                                        WHERE recorded_at <= shift.window_from)
           WHERE state = 'on_duty'"""
    )
    db.execute(trigger)
db.close()
run("shift", "end", "--to", "李明")

shift = json.loads(run("shift", "list", "--json"))[0]
report = json.loads(run("handover", "--format", "json"))
sections = {}
for item in report["carry_over"]["handed_over"]:
    sections[item["section"]] = sections.get(item["section"], 0) + 1
text = run("handover")
md = run("handover", "--format", "md")
entries = report["counts"]["entries"]["total"]
print(f"shift #{shift['id']}: {minutes} minutes, {entries} log entries in the window")
print(f"carry-over items: {shift['items']} {sections}")
for name, s in (("text", text), ("md", md)):
    print(
        f"{name}: {len(s.splitlines())} lines, {len(s)} characters, "
        f"{len(s.encode())} bytes"
    )

# Wall time, and CPU time (user + system) of the child, which a busy
# machine inflates less.
times, cpu = [], []
for i in range(runs + 2):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [binary, "--db", copy, "--read-only", "handover"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if i >= 2:  # two warm-up runs
        times.append(wall)
        cpu.append(
            (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
        )
print(
    f"text report, whole process, {runs} runs: wall median {statistics.median(times):.1f} ms "
    f"(min {min(times):.1f}, max {max(times):.1f}); CPU median {statistics.median(cpu):.1f} ms "
    f"(min {min(cpu):.1f}, max {max(cpu):.1f}); load average {os.getloadavg()[0]:.1f}"
)
