#!/usr/bin/env python3
"""A misbehaving Redis for tests/engine/redis_fault.sh.

    fake_redis.py MODE PORTFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and
serves each connection in MODE:

  trickle   reads commands; answers each with ":1\\r\\n", one byte a second
  stall     reads commands; never answers
  bigbulk   answers the first command with "$2000000000\\r\\n", then one
            byte a second
  reset     answers the first 3 PUBLISHes, then resets the connection (RST)
            while the client is still sending (a small receive buffer keeps
            the client's pipeline from fitting in the kernel)
  noaccept  listens and never accepts; its accept queue is filled first,
            so the kernel drops a client's SYN and connect() hangs

LOGFILE gets one line per reply sent in full: the PUBLISH's channel. Runs
until killed.
"""
import os
import socket
import struct
import sys
import threading
import time

mode, portfile, logfile = sys.argv[1], sys.argv[2], sys.argv[3]
log_lock = threading.Lock()


def log(channel):
    with log_lock, open(logfile, 'a', encoding='utf-8') as f:
        f.write(channel + '\n')


def commands(buf):
    """Parse complete RESP arrays of bulk strings from buf: (list of argv, rest)."""
    out = []
    while True:
        if not buf.startswith(b'*'):
            return out, buf
        nl = buf.find(b'\r\n')
        if nl < 0:
            return out, buf
        argc, pos, argv = int(buf[1:nl]), nl + 2, []
        for _ in range(argc):
            nl = buf.find(b'\r\n', pos)
            if nl < 0:
                return out, buf
            n = int(buf[pos + 1:nl])
            if len(buf) < nl + 2 + n + 2:
                return out, buf
            argv.append(buf[nl + 2:nl + 2 + n])
            pos = nl + 2 + n + 2
        out.append(argv)
        buf = buf[pos:]


def trickle(conn, data):
    for b in data:
        conn.sendall(bytes([b]))
        time.sleep(1)


def serve(conn):
    buf, answered = b'', 0
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            cmds, buf = commands(buf)
            for argv in cmds:
                if mode == 'stall':
                    continue
                if mode == 'bigbulk':
                    conn.sendall(b'$2000000000\r\n')
                    while True:
                        conn.sendall(b'x')
                        time.sleep(1)
                if mode == 'reset' and answered == 3:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    conn.close()
                    return
                reply = b'+OK\r\n' if argv[0].upper() in (b'AUTH', b'SELECT') else b':1\r\n'
                if mode == 'trickle':
                    trickle(conn, reply)
                else:
                    conn.sendall(reply)
                if argv[0].upper() == b'PUBLISH':
                    answered += 1
                    log(argv[1].decode('utf-8', 'replace'))
                if mode == 'reset' and answered == 3:
                    time.sleep(0.2)   # let the client keep sending into a full window
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode == 'reset':
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(('127.0.0.1', 0))
    s.listen(0 if mode == 'noaccept' else 16)
    fillers = []
    if mode == 'noaccept':
        for _ in range(3):
            f = socket.socket()
            f.settimeout(0.3)
            try:
                f.connect(s.getsockname())
            except OSError:
                pass
            fillers.append(f)
    open(logfile, 'w').close()
    with open(portfile + '.tmp', 'w') as f:
        f.write(str(s.getsockname()[1]))
    os.rename(portfile + '.tmp', portfile)
    if mode == 'noaccept':
        while True:
            time.sleep(3600)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == '__main__':
    main()
