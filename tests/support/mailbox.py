#!/usr/bin/env python3
"""Reads a user's mailbox over IMAP (a real client: Python's imaplib) and
prints its messages as one JSON array, so the shell tests can check what
really arrived.  Nothing is marked seen (BODY.PEEK).

usage: mailbox.py PORT USER [PASSWORD] [--ssl CAFILE] [--folder F]
                  [--save DIR] [--append FILE]
  --save DIR     also writes each raw message to DIR/<uid>.eml
  --append FILE  instead, appends FILE's bytes to the folder as they are
"""
import email
import email.policy
import imaplib
import json
import ssl
import sys


def part_info(part):
    try:
        content = part.get_content()
    except (LookupError, ValueError) as e:
        content = "<undecodable: %s>" % e
    return {"type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "encoding": part.get("content-transfer-encoding"),
            "content": content if isinstance(content, str) else None}


def message_info(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [part_info(p) for p in m.walk() if not p.is_multipart()]
    raw_headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    return {"message_id": str(m["message-id"] or ""),
            "subject": str(m["subject"] or ""),
            "from": str(m["from"] or ""),
            "to": str(m["to"] or ""),
            "reply_to": str(m["reply-to"] or ""),
            "in_reply_to": str(m["in-reply-to"] or ""),
            "references": str(m["references"] or ""),
            "auto_submitted": str(m["auto-submitted"] or ""),
            "suppress": str(m["x-auto-response-suppress"] or ""),
            "content_type": m.get_content_type(),
            "header_names": [k.lower() for k in m.keys()],
            "raw_headers": raw_headers,
            "max_line": max(len(l) for l in raw.split(b"\r\n")),
            "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
            "parts": parts}


def main():
    args = sys.argv[1:]
    cafile = folder = None
    if "--ssl" in args:
        i = args.index("--ssl")
        cafile = args[i + 1]
        del args[i:i + 2]
    folder = "INBOX"
    if "--folder" in args:
        i = args.index("--folder")
        folder = args[i + 1]
        del args[i:i + 2]
    save = append = None
    if "--save" in args:
        i = args.index("--save")
        save = args[i + 1]
        del args[i:i + 2]
    if "--append" in args:
        i = args.index("--append")
        append = args[i + 1]
        del args[i:i + 2]
    port, user = int(args[0]), args[1]
    password = args[2] if len(args) > 2 else "secret"
    if cafile:
        ctx = ssl.create_default_context(cafile=cafile)
        imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
    else:
        imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(user, password)
    if append:
        typ, _ = imap.append(folder, None, None, open(append, "rb").read())
        imap.logout()
        print(typ)
        return
    typ, _ = imap.select(folder, readonly=True)
    out = []
    if typ == "OK":
        typ, data = imap.uid("SEARCH", None, "ALL")
        for uid in data[0].split():
            typ, msg = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(x[1] for x in msg if isinstance(x, tuple))
            out.append(message_info(raw))
            if save:
                open("%s/%s.eml" % (save, uid.decode()), "wb").write(raw)
    imap.logout()
    json.dump(out, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
