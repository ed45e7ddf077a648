#!/usr/bin/env python3
"""A desk many sessions share: N consoles on pseudo-terminals, one per pane,
on one database, while a writer (benches/desk_writer.rs) adds changes at a
given rate. Reports each console's CPU over the writing time, the bytes it
wrote, and how long after its commit each new entry was on the screen of
the console on the duty-log pane (its output fed into a terminal emulator,
pyte: `pip install pyte`).

usage: desk_load.py --bin BIN --db DB [--panes 1,2,3,4,5] [--cols 120]
           [--rows 40] [--rate 10] [--seconds 30] [--mix notes|records|all]
           [--writer CMD] [--settle 8] [--json]

The writer writes to the database: run it on a copy. --writer defaults to
the built benchmark (`cargo bench --bench desk_writer --no-run` prints its
path; the script finds it under $CARGO_TARGET_DIR or ./target).
"""
import argparse, fcntl, glob, json, os, pty, select, signal, statistics, struct, subprocess, sys, termios, time

import pyte

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def find_writer():
    root = os.environ.get("CARGO_TARGET_DIR", "target")
    found = sorted(glob.glob(f"{root}/release/deps/desk_writer-*"), key=os.path.getmtime)
    found = [f for f in found if os.access(f, os.X_OK) and not f.endswith(".d")]
    if not found:
        sys.exit("no desk_writer binary: run `cargo bench --bench desk_writer --no-run` first, or give --writer")
    return [found[-1]]


class Console:
    def __init__(self, a, pane, env):
        self.pane = pane
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(a.bin, [a.bin, "--db", a.db, "--officer", f"值班{pane}", "--lang", a.lang], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.bytes = 0
        self.counted_from = None
        self.screen = None
        if pane == 5:
            self.screen = pyte.Screen(a.cols, a.rows)
            self.stream = pyte.ByteStream(self.screen)

    def read(self):
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return b""
        if self.counted_from is not None:
            self.bytes += len(data)
        if self.screen is not None:
            self.stream.feed(data)
        return data

    def seqs_on_screen(self):
        """The entry numbers in the first column of the log pane's rows."""
        seen = set()
        sc = self.screen
        # Not `screen.display`, which trips over wide characters' halves.
        lines = ["".join(sc.buffer[y][x].data for x in range(sc.columns)) for y in range(sc.lines)]
        for line in lines[4:]:
            word = line[1:].lstrip("▶ ").split(" ", 1)[0]
            if word.isdigit():
                seen.add(int(word))
        return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--panes", default="1,2,3,4,5")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--rate", type=float, default=10)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--mix", default="notes", choices=["notes", "records", "all"])
    ap.add_argument("--lang", default="zh")
    ap.add_argument("--writer", help="the writer's command (default: the built desk_writer bench)")
    ap.add_argument("--settle", type=float, default=8, help="seconds for the consoles to start and settle")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
    env.pop("NO_COLOR", None)
    consoles = [Console(a, int(p), env) for p in a.panes.split(",")]
    by_fd = {c.fd: c for c in consoles}

    def pump(until):
        while True:
            left = until - time.time()
            if left <= 0:
                return
            r, _, _ = select.select(list(by_fd), [], [], min(left, 0.05))
            for fd in r:
                by_fd[fd].read()
            yield_point()

    pending = {}  # seq -> commit time
    delays = []
    log = next((c for c in consoles if c.pane == 5), None)

    def yield_point():
        if log is None or not pending:
            return
        on = log.seqs_on_screen()
        now = time.time()
        for s in [s for s in pending if s in on]:
            delays.append(max(0.0, now - pending.pop(s)))

    # Start, then put each console on its pane, then let it settle.
    pump(time.time() + 2)
    for c in consoles:
        os.write(c.fd, str(c.pane).encode())
    pump(time.time() + a.settle)

    writer_cmd = a.writer.split() if a.writer else find_writer()
    writer_cmd += ["--db", a.db, "--rate", str(a.rate), "--seconds", str(a.seconds), "--mix", a.mix]
    before = {c.pid: cpu_ticks(c.pid) for c in consoles}
    for c in consoles:
        c.counted_from = time.time()
    t0 = time.time()
    w = subprocess.Popen(writer_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    wfd = w.stdout.fileno()
    os.set_blocking(wfd, False)
    buf = b""
    made = 0
    while w.poll() is None or buf:
        r, _, _ = select.select(list(by_fd) + [wfd], [], [], 0.05)
        for fd in r:
            if fd == wfd:
                try:
                    chunk = os.read(wfd, 65536)
                except BlockingIOError:
                    chunk = b""
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    seq, t, _kind = line.decode().split("\t")
                    pending[int(seq)] = float(t)
                    made += 1
                if not chunk and w.poll() is not None:
                    buf = b""
            else:
                by_fd[fd].read()
        yield_point()
    wall = time.time() - t0
    # A last second for the newest entry to be drawn.
    pump(time.time() + 1.5)
    after = {c.pid: cpu_ticks(c.pid) for c in consoles}
    cpu_wall = time.time() - t0
    summary = w.stderr.read().decode().strip()

    results = {
        "bin": a.bin, "db": a.db, "size": f"{a.cols}x{a.rows}", "rate": a.rate,
        "seconds": round(wall, 1), "mix": a.mix, "changes": made, "writer": summary,
        "consoles": [
            {
                "pane": c.pane,
                "cpu_percent": round(100.0 * (after[c.pid] - before[c.pid]) / TICK / cpu_wall, 2),
                "bytes_per_s": round(c.bytes / cpu_wall, 1),
            }
            for c in consoles
        ],
    }
    if log is not None:
        results["delay_s"] = {
            "seen": len(delays),
            "never_seen": len(pending),
            "median": round(statistics.median(delays), 3) if delays else None,
            "p95": round(sorted(delays)[int(0.95 * (len(delays) - 1))], 3) if delays else None,
            "max": round(max(delays), 3) if delays else None,
        }
    for c in consoles:
        try:
            os.write(c.fd, b"q")
        except OSError:
            pass
    time.sleep(0.3)
    for c in consoles:
        try:
            os.kill(c.pid, signal.SIGTERM)
            os.waitpid(c.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    if a.json:
        print(json.dumps(results))
        return
    print(f"{results['size']}, {made} changes ({a.mix}) at {a.rate}/s over {results['seconds']} s; {summary}")
    for c in results["consoles"]:
        print(f"  pane {c['pane']}: CPU {c['cpu_percent']:5.2f} %  {c['bytes_per_s']:8.1f} bytes/s")
    if "delay_s" in results:
        d = results["delay_s"]
        print(f"  newest entry on screen after its commit: median {d['median']} s, p95 {d['p95']} s, "
              f"max {d['max']} s ({d['seen']} seen, {d['never_seen']} never on screen)")


if __name__ == "__main__":
    main()
