#!/usr/bin/env python3
"""Time to the console's first frame on a raw pty whose "terminal" answers
the ambiguous-width probe (CSI 6n) as a wide or narrow terminal would, or
not at all (issue 22). Prints one JSON object per run.

usage: ambiprobe.py --answer wide|narrow|none [--runs 10] [--delay MS] [--ready TEXT]
                    [--cols 120 --rows 40] -- CMD ARGS...
"""
import argparse, json, os, pty, select, signal, struct, fcntl, termios, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--answer", choices=["wide", "narrow", "none"], required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--delay", type=float, default=0, help="ms before the answer (a link's round trip)")
    ap.add_argument("--ready", default="quit")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    col = {"wide": 9, "narrow": 7}.get(a.answer)
    firsts, waits = [], []
    for _ in range(a.runs):
        env = dict(os.environ, TERM="xterm-256color")
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(cmd[0], cmd, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
        t0 = time.monotonic(); out = bytearray(); asked = None; first = None
        while time.monotonic() - t0 < 10:
            r, _, _ = select.select([fd], [], [], 0.01)
            if not r:
                continue
            try:
                b = os.read(fd, 65536)
            except OSError:
                break
            out.extend(b)
            if asked is None and b"\x1b[6n" in out:
                asked = time.monotonic()
                if col:
                    time.sleep(a.delay / 1000)
                    os.write(fd, b"\x1b[1;%dR" % col)
            if a.ready.encode() in out:
                first = time.monotonic()
                break
        os.kill(pid, signal.SIGTERM)
        try: os.waitpid(pid, 0)
        except ChildProcessError: pass
        os.close(fd)
        if first:
            firsts.append(round((first - t0) * 1000, 1))
            if asked:
                waits.append(round((first - asked) * 1000, 1))
    s = sorted(firsts)
    print(json.dumps({"answer": a.answer, "first_frame_ms": firsts,
                      "median_ms": s[len(s) // 2] if s else None,
                      "request_to_frame_ms": waits}))

if __name__ == "__main__":
    main()
