#!/usr/bin/env python3
"""An SMTP server that looks into the agent's database as each message's
content begins, and writes down whether every message it accepted before
is already recorded as sent.

A real server cannot say what the database held at that instant, and that
instant is the promise under test: a mail's content leaves only once the
mail before it is recorded, so that a crash leaves at most one in doubt.

    smtp_witness.py PORT DATABASE LOG

LOG is made once the server listens; it gets one line per message: "ok N"
when all N accepted before it were recorded as sent (beyond those sent
before it started), else "late N M" (M recorded).  The server answers 250
to everything and stops when the client says QUIT.

As it accepts the first message it holds the database's write lock for
half a second, as another process's long transaction would: recording
that message must wait, and so must the next message's content.
"""
import socket
import sqlite3
import sys
import threading
import time

HOLD_SECONDS = 0.5


def recorded(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(
            "SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
    finally:
        con.close()


def hold_write_lock(db, taken):
    con = sqlite3.connect(db, timeout=10, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(HOLD_SECONDS)
    con.execute("ROLLBACK")
    con.close()


def session(conn, db, log, before):
    accepted = 0
    f = conn.makefile("rb")
    conn.sendall(b"220 witness ESMTP\r\n")
    for line in f:
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250-witness\r\n250 8BITMIME\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return True
        elif verb == b"DATA":
            conn.sendall(b"354 go on\r\n")
            first = True
            for body in f:
                if first:
                    n = recorded(db) - before
                    log.write("ok %d\n" % accepted if n == accepted
                              else "late %d %d\n" % (accepted, n))
                    log.flush()
                    first = False
                if body == b".\r\n":
                    break
            if accepted == 0:
                taken = threading.Event()
                threading.Thread(target=hold_write_lock,
                                 args=(db, taken)).start()
                taken.wait()
            accepted += 1
            conn.sendall(b"250 2.0.0 accepted\r\n")
        else:
            conn.sendall(b"250 ok\r\n")
    return False


def main():
    port, db, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    before = recorded(db)
    with open(path, "w") as log:
        while True:
            conn, _ = srv.accept()
            with conn:
                if session(conn, db, log, before):
                    return


main()
