#!/usr/bin/env python3
"""Key-to-screen time of a state change, as seen through a terminal.

Runs the console on a pseudo-terminal, feeds every byte it writes into a
terminal emulator (pyte), sends the keys of a change and times from the
last key (the one that makes the change) until the flash naming the new
log entry ("recorded #<seq>") is on the emulated screen. The database's
head seq is read (read-only) before the run, so the expected number is
known for each change.

usage: keyflash.py --bin BIN --db DB [--scenario mark|note|assign] [--n 30]
"""
import argparse, fcntl, os, pty, select, sqlite3, statistics, struct, sys, termios, time, json
import pyte
from wcwidth import wcwidth


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--scenario", default="mark", choices=["mark", "note", "assign"])
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()

    ro = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    head = ro.execute("SELECT MAX(seq) FROM duty_log").fetchone()[0]
    target = None
    if a.scenario == "assign":
        # An open delivery that can be (re)assigned, and a vehicle with a pass.
        did = ro.execute("SELECT id FROM delivery WHERE state IN ('queued','assigned') ORDER BY id LIMIT 1").fetchone()[0]
        plate = ro.execute(
            "SELECT v.plate FROM vehicle v JOIN pass p ON p.vehicle_id = v.id "
            "WHERE p.state = 'issued' ORDER BY p.valid_until DESC LIMIT 1").fetchone()[0]
        target = (did, plate)
    ro.close()

    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(a.bin, [a.bin, "--db", a.db, "--officer", "测速", "--lang", "en"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    screen = pyte.Screen(a.cols, a.rows)
    stream = pyte.ByteStream(screen)

    counter = [0]
    first = [0.0]
    # When the chunk being fed was read: the time the terminal had it,
    # before this script's emulator spent any time on it.
    arrived = [0.0]
    in_frame = [False]
    trace = [] if os.environ.get("KF_TRACE") else None

    def pump(timeout):
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return False
        try:
            b = os.read(fd, 1 << 16)
        except OSError:
            return False
        if b"\x1b[6n" in b:
            os.write(fd, b"\x1b[1;1R")
        arrived[0] = time.monotonic()
        # Inside a synchronized frame the terminal shows nothing yet.
        bsu, esu = b.rfind(b"\x1b[?2026h"), b.rfind(b"\x1b[?2026l")
        if bsu > esu:
            in_frame[0] = True
        elif esu > bsu:
            in_frame[0] = False
        if trace is not None:
            trace.append((arrived[0], len(b), b.count(b"\x1b[?2026l"), b[-60:]))
        if counter[0] == 0:
            first[0] = arrived[0]
        stream.feed(b)
        counter[0] += len(b)
        return True

    def text(rows_from=0):
        # pyte's own `display` trips over cells it left empty. The cell
        # after a wide character is empty by design; any other empty cell
        # is one whose wide character was overwritten (a real terminal
        # blanks it), so it reads as a space.
        rows = []
        for y in range(rows_from, screen.lines):
            line, prev_wide = [], False
            for x in range(screen.columns):
                d = screen.buffer[y][x].data
                if d == "":
                    if not prev_wide:
                        line.append(" ")
                    prev_wide = False
                    continue
                line.append(d)
                prev_wide = wcwidth(d[0]) == 2
            rows.append("".join(line))
        return "\n".join(rows)

    def wait_for(needle, timeout=a.timeout, bottom=False):
        # The flash sits just above the footer: looking only there keeps
        # the emulator's own cost out of the figure.
        rows_from = max(0, a.rows - 6) if bottom else 0
        end = time.monotonic() + timeout
        fresh = True
        while time.monotonic() < end:
            if fresh and needle in text(rows_from):
                if not bottom:
                    return time.monotonic()
                # Shown when the frame that holds it is complete.
                while in_frame[0] and time.monotonic() < end:
                    pump(0.05)
                return arrived[0]
            fresh = pump(0.05)
        raise SystemExit(f"timed out waiting for {needle!r}:\n{text()}")

    def settle(quiet=0.15):
        """Reads until the console has been quiet for `quiet` seconds;
        when the last bytes came."""
        last = time.monotonic()
        end = last + quiet
        while time.monotonic() < end:
            if pump(0.02):
                last = time.monotonic()
                end = last + quiet
        return last

    start = time.monotonic()
    wait_for("Duty log", timeout=60)
    first_frame = time.monotonic() - start
    settle()

    if a.scenario == "mark":
        os.write(fd, b"1")
        wait_for("Posts of the leading group")
        os.write(fd, b"j")
        settle()
    elif a.scenario == "assign":
        os.write(fd, b"4")
        wait_for("Delivery queue")
        settle()

    times, settled, flash_bytes, first_bytes = [], [], [], []
    for i in range(a.n):
        head += 1
        if a.scenario == "note":
            os.write(fd, f":note 测速 {i}".encode())
            wait_for(f":note 测速 {i}", bottom=True)
            settle()
            key = b"\r"
        elif a.scenario == "assign":
            did, plate = target
            os.write(fd, f":assign #{did} {plate}".encode())
            wait_for(f"assign #{did} {plate}", bottom=True)
            settle()
            key = b"\r"
        else:
            key = b"m"
        t = time.monotonic()
        counter[0] = 0
        os.write(fd, key)
        seen = wait_for(f"recorded #{head}", bottom=True)
        times.append((seen - t) * 1000)
        flash_bytes.append(counter[0])
        if trace is not None and i in (5, 6):
            for (at, n, esu, tail) in trace:
                if at >= t - 0.001:
                    print(f"  +{(at - t) * 1000:6.1f} ms  {n:5d} B  esu={esu}  {tail!r}", file=sys.stderr)
            print(f"  flash seen at +{(seen - t) * 1000:.1f} ms", file=sys.stderr)
            trace.clear()
        first_bytes.append((first[0] - t) * 1000)
        # The panes read again after the flash's frame: the last frame of
        # the burst is when the screen is complete.
        settled.append((settle() - t) * 1000)

    os.write(fd, b"q")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    times_sorted = sorted(times)
    print(json.dumps({
        "scenario": a.scenario,
        "n": len(times),
        "first_frame_s": round(first_frame, 3),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times_sorted[int(0.9 * (len(times) - 1))], 1),
        "min_ms": round(times_sorted[0], 1),
        "max_ms": round(times_sorted[-1], 1),
        "last_frame_median_ms": round(statistics.median(settled), 1),
        "flash_frame_bytes_median": statistics.median(flash_bytes),
        "first_byte_median_ms": round(statistics.median(first_bytes), 1),
        "last_frame_max_ms": round(max(settled), 1),
    }))


if __name__ == "__main__":
    main()
