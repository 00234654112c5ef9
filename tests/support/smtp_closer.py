#!/usr/bin/env python3
"""An SMTP server that takes one message per session and then hangs up,
right after its 250 and without waiting for QUIT, as servers with a limit
of messages per connection do.  The client finds its kept connection
closed only when it starts the next mail on it.

    smtp_closer.py PORT LOG COUNT

LOG is made once the server listens; it gets one line per message taken,
"taken N", and the server stops after COUNT of them.  Every other command
gets 250.
"""
import socket
import sys


def session(conn, log, taken):
    f = conn.makefile("rb")
    try:
        conn.sendall(b"220 closer ESMTP\r\n")
        for line in f:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-closer\r\n250 8BITMIME\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return taken
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for body in f:
                    if body == b".\r\n":
                        break
                taken += 1
                conn.sendall(b"250 2.0.0 taken %d\r\n" % taken)
                log.write("taken %d\n" % taken)
                log.flush()
                conn.shutdown(socket.SHUT_RDWR)
                return taken
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
