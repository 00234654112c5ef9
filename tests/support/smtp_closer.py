#!/usr/bin/env python3
"""An SMTP server that takes one message per session: it hangs up,
without an answer, on the command that would start the next one, as
servers with a limit of messages per connection may.  The client finds
its kept connection gone only after it has started the next mail on it,
so that mail must go again on a new connection.

    smtp_closer.py PORT LOG COUNT

LOG is made once the server listens; it gets one line per message taken,
"taken N", and the server stops after COUNT of them (a client that gives
up earlier leaves it waiting: the caller stops it).  Every other command
gets 250.
"""
import socket
import sys


def session(conn, log, taken):
    f = conn.makefile("rb")
    took = False
    try:
        conn.sendall(b"220 closer ESMTP\r\n")
        for line in f:
            verb = line[:4].upper()
            if verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            if took:
                break	# the limit: no answer, the session ends
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-closer\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for body in f:
                    if body == b".\r\n":
                        break
                taken += 1
                took = True
                # Written before the 250: once the client has it, the
                # line is there.
                log.write("taken %d\n" % taken)
                log.flush()
                conn.sendall(b"250 2.0.0 taken %d\r\n" % taken)
            else:
                conn.sendall(b"250 ok\r\n")
    except ConnectionError:
        pass
    finally:
        f.close()
    return taken


def main():
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    taken = 0
    with open(path, "w") as log:
        while taken < count:
            conn, _ = srv.accept()
            with conn:
                taken = session(conn, log, taken)


main()
