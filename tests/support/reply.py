#!/usr/bin/env python3
"""Writes a reply to a mail the agent sent, as a mail client would: the
answer on top, the original quoted below, threaded with In-Reply-To and
References, sent to its Reply-To.  Prints the raw message (CRLF).

usage: reply.py ORIGINAL.eml FROM BODY [--html] [--no-key] [--header H:V]...
  BODY is the reply's own text ("\\n" for line breaks).
  --html      an HTML-only reply (Outlook style, the original below)
  --no-key    send to the plain reply address (no +key), thread only
  --to ADDR   send to ADDR instead of the Reply-To
"""
import email
import email.policy
import email.utils
import html
import sys
import uuid


def main():
    args = sys.argv[1:]
    headers, to_override, as_html, no_key, no_thread = [], None, False, False, False
    while "--header" in args:
        i = args.index("--header")
        headers.append(args[i + 1])
        del args[i:i + 2]
    if "--to" in args:
        i = args.index("--to")
        to_override = args[i + 1]
        del args[i:i + 2]
    for flag in ("--html", "--no-key", "--no-thread"):
        if flag in args:
            args.remove(flag)
            as_html |= flag == "--html"
            no_key |= flag == "--no-key"
            no_thread |= flag == "--no-thread"
    orig_path, sender, body = args[0], args[1], args[2].replace("\\n", "\n")
    orig = email.message_from_binary_file(open(orig_path, "rb"),
                                          policy=email.policy.default)
    reply_to = str(orig["reply-to"])
    if no_key:
        local, domain = reply_to.split("@")
        reply_to = local.split("+")[0] + "@" + domain
    text = orig.get_body(("plain",)).get_content()
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to_override or reply_to
    msg["Subject"] = "Re: " + str(orig["subject"])
    msg["Date"] = email.utils.formatdate()
    msg["Message-ID"] = "<%s@client.example.test>" % uuid.uuid4()
    if not no_thread:
        msg["In-Reply-To"] = str(orig["message-id"])
        msg["References"] = str(orig["message-id"])
    for h in headers:
        name, value = h.split(":", 1)
        msg[name] = value.strip()
    attribution = "On Mon, 1 Dec 2026 at 10:00, MSC migration <%s> wrote:" % \
        str(orig["from"]).split("<")[-1].rstrip(">")
    if as_html:
        quoted = html.escape(text).replace("\n", "<br>")
        msg.set_content(
            "<html><body><div>%s</div><div id=\"appendonsend\"></div>"
            "<hr><div id=\"divRplyFwdMsg\"><b>From:</b> MSC migration"
            "<br><b>Sent:</b> Monday<br><b>Subject:</b> %s</div>"
            "<div>%s</div></body></html>" % (
                html.escape(body).replace("\n", "<br>"),
                html.escape(str(orig["subject"])), quoted),
            subtype="html")
    else:
        quoted = "\n".join("> " + l for l in text.splitlines())
        msg.set_content("%s\n\n%s\n%s\n" % (body, attribution, quoted))
    sys.stdout.buffer.write(msg.as_bytes())


if __name__ == "__main__":
    main()
