#!/usr/bin/env python3
"""The mailbox's own work over IMAP, as a poll asks for it, with nothing
decided: a bare client (Python's imaplib) that fetches every message in
the poll's batches (32, doubling up to 500), flags each batch \\Seen and
moves it to Processed, on one connection.  Prints the seconds from the
connection to the logout (the interpreter's start not counted): no
poll over IMAP can take less.

usage: imap_floor.py PORT USER PASSWORD
"""
import imaplib
import sys
import time

FIRST_BATCH, BATCH = 32, 500


def uid_set(uids):
    return ",".join(str(u) for u in uids)


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    start = time.monotonic()
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    m.create("Processed")
    m.select("INBOX")
    uids = [int(u) for u in m.uid("SEARCH", None, "ALL")[1][0].split()]
    at, n = 0, FIRST_BATCH
    while at < len(uids):
        batch = uid_set(uids[at:at + n])
        at += n
        n = min(n * 2, BATCH)
        m.uid("FETCH", batch, "(UID BODY.PEEK[])")
        m.uid("STORE", batch, "+FLAGS.SILENT", "(\\Seen)")
        m.uid("MOVE", batch, "Processed")
    m.logout()
    print("%.3f" % (time.monotonic() - start))


if __name__ == "__main__":
    main()
