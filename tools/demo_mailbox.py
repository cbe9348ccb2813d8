#!/usr/bin/python3
"""The demo's mail program in the browser (tools/demo-mail, docs/mail.md): shows every mail campusdesk sent (the
.eml files the local SMTP server writes) and lets a person answer one, or write a new mail to the IT support, as
the mail's recipient. What is sent is put into the support mailbox of the local IMAP server (dovecot), where
campusdesk takes it like any other mail. Python's standard library only; listens on loopback.

    /usr/bin/python3 tools/demo_mailbox.py --mailbox DIR --imap-port PORT --imap-user USER --imap-password PW
                                           [--port 8025] [--support helpdesk@schulen.example.de]

Prints "listening on http://127.0.0.1:PORT/" once it serves. The pages are German, as campusdesk's are.
"""
import argparse
import email
import email.policy
import email.utils
import html
import http.server
import imaplib
import os
import re
import urllib.parse

PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Demo-Postfach</title>
<style>
body {{ font-family: sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: .8rem; }} textarea, input[type=text] {{ width: 100%; box-sizing: border-box; }}
.note {{ background: #e8f4e8; padding: .6rem; }} .error {{ background: #fbe3e3; padding: .6rem; }}
</style></head><body>
<p><a href="/">Gesendete Mails</a> · <a href="/neu">Neue E-Mail an den IT-Support</a></p>
<h1>{title}</h1>
{body}
</body></html>"""

SAFE_NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")


def read_mail(path):
    with open(path, "rb") as f:
        raw = f.read()
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def address_of(header):
    name, address = email.utils.parseaddr(str(header or ""))
    return address


class Mailbox:
    def __init__(self, directory, imap_port, user, password, support):
        self.directory = directory
        self.imap_port = imap_port
        self.user = user
        self.password = password
        self.support = support

    def names(self):
        names = [n for n in os.listdir(self.directory) if SAFE_NAME.match(n)]
        return sorted(names, key=lambda n: os.path.getmtime(os.path.join(self.directory, n)), reverse=True)

    def path(self, name):
        if not SAFE_NAME.match(name) or not os.path.exists(os.path.join(self.directory, name)):
            return None
        return os.path.join(self.directory, name)

    def deliver(self, message):
        """Puts the message into the support mailbox, where campusdesk fetches it over IMAP."""
        with imaplib.IMAP4("127.0.0.1", self.imap_port) as imap:
            imap.login(self.user, self.password)
            status, answer = imap.append("INBOX", None, None, message.as_bytes(policy=email.policy.SMTP))
            if status != "OK":
                raise RuntimeError(f"IMAP APPEND: {answer}")


def reply_to(original, text):
    """The answer of the original's recipient, as a mail program writes it: threaded, the original quoted below."""
    reply = email.message.EmailMessage()
    reply["From"] = original["To"]
    reply["To"] = original["Reply-To"] or original["From"]
    subject = str(original["Subject"] or "")
    reply["Subject"] = subject if re.match(r"(?i)^(aw|re):", subject) else "AW: " + subject
    reply["Message-ID"] = email.utils.make_msgid(domain="demo-postfach.example")
    reply["Date"] = email.utils.formatdate(localtime=True)
    if original["Message-ID"]:
        reply["In-Reply-To"] = original["Message-ID"]
        reply["References"] = " ".join(filter(None, [str(original["References"] or ""), str(original["Message-ID"])]))
    quoted = "\n".join("> " + line for line in text_of(original).splitlines())
    reply.set_content(f"{text}\n\nAm {original['Date']} schrieb {original['From']}:\n{quoted}\n")
    return reply


def new_mail(sender, support, subject, text):
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = support
    message["Subject"] = subject
    message["Message-ID"] = email.utils.make_msgid(domain="demo-postfach.example")
    message["Date"] = email.utils.formatdate(localtime=True)
    message.set_content(text)
    return message


def make_handler(mailbox):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_page(self, title, body, status=200):
            data = PAGE.format(title=html.escape(title), body=body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def redirect(self, location):
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def form(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                return None
            return urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == "/":
                return self.list_page(query.get("an", [""])[0], query.get("gesendet", [""])[0])
            if url.path == "/neu":
                return self.new_page()
            match = re.match(r"^/mail/([^/]+)(/html)?$", url.path)
            if match and mailbox.path(match.group(1)):
                return self.mail_page(match.group(1), bool(match.group(2)))
            self.send_page("Nicht gefunden", "<p>Diese Seite gibt es nicht.</p>", 404)

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            fields = self.form()
            if fields is None:
                return self.send_page("Zu groß", '<p class="error">Die Nachricht ist zu groß.</p>', 413)
            text = fields.get("text", [""])[0].strip()
            match = re.match(r"^/mail/([^/]+)/antworten$", url.path)
            try:
                if match and mailbox.path(match.group(1)):
                    if not text:
                        return self.mail_page(match.group(1), False, "Bitte schreiben Sie eine Antwort.")
                    original = read_mail(mailbox.path(match.group(1)))
                    mailbox.deliver(reply_to(original, text))
                    return self.redirect("/?gesendet=" + urllib.parse.quote(str(original["To"])))
                if url.path == "/neu":
                    sender = fields.get("von", [""])[0].strip()
                    subject = fields.get("betreff", [""])[0].strip()
                    if not address_of(sender) or "@" not in address_of(sender) or not subject or not text:
                        return self.new_page("Bitte füllen Sie Absender, Betreff und Text aus.", sender, subject, text)
                    mailbox.deliver(new_mail(sender, mailbox.support, subject, text))
                    return self.redirect("/?gesendet=" + urllib.parse.quote(sender))
            except (OSError, imaplib.IMAP4.error, RuntimeError) as e:
                return self.send_page("Nicht gesendet", f'<p class="error">Das IMAP-Postfach ist nicht erreichbar: '
                                      f'{html.escape(str(e))}</p>', 502)
            self.send_page("Nicht gefunden", "<p>Diese Seite gibt es nicht.</p>", 404)

        def list_page(self, recipient, sent):
            rows = []
            recipients = set()
            for name in mailbox.names():
                m = read_mail(mailbox.path(name))
                to = address_of(m["To"])
                recipients.add(to)
                if recipient and to != recipient:
                    continue
                rows.append(f'<tr><td>{html.escape(str(m["Date"] or ""))}</td>'
                            f'<td><a href="/?an={urllib.parse.quote(to)}">{html.escape(str(m["To"] or ""))}</a></td>'
                            f'<td><a href="/mail/{name}">{html.escape(str(m["Subject"] or "(ohne Betreff)"))}</a></td></tr>')
            note = (f'<p class="note">Gesendet als {html.escape(sent)}. campusdesk holt die Mail aus dem Postfach des '
                    f'IT-Supports ab; das Ticket zeigt sie gleich.</p>' if sent else "")
            shown = f"an {html.escape(recipient)} · <a href=\"/\">alle</a>" if recipient else "alle Empfänger"
            body = (f"{note}<p>{len(rows)} Mails ({shown}), die neuesten zuerst. Die Seite zeigt, was campusdesk "
                    f"verschickt hat; beantworten Sie eine Mail als ihr Empfänger.</p>"
                    f"<table><thead><tr><th>Datum</th><th>An</th><th>Betreff</th></tr></thead>"
                    f"<tbody>{''.join(rows)}</tbody></table>")
            self.send_page("Gesendete Mails", body)

        def mail_page(self, name, as_html, error=""):
            m = read_mail(mailbox.path(name))
            if as_html:
                part = m.get_body(preferencelist=("html",))
                data = (part.get_content() if part else "").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                # The mail's HTML as a mail program shows it: no scripts, no requests of its own.
                self.send_header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            headers = "".join(f"<tr><th>{h}</th><td>{html.escape(str(m[h] or ''))}</td></tr>"
                              for h in ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To"))
            error_html = f'<p class="error" id="fehler">{html.escape(error)}</p>' if error else ""
            invalid = ' aria-invalid="true" aria-describedby="fehler"' if error else ""
            body = (f"<table>{headers}</table><p><a href=\"/mail/{name}/html\">HTML-Fassung</a></p>"
                    f"<pre>{html.escape(text_of(m))}</pre>"
                    f"<h2>Antworten als {html.escape(str(m['To'] or ''))}</h2>{error_html}"
                    f'<form method="post" action="/mail/{name}/antworten">'
                    f'<label for="text">Ihre Antwort (geht an {html.escape(str(m["Reply-To"] or m["From"] or ""))})</label>'
                    f'<textarea id="text" name="text" rows="6"{invalid}></textarea>'
                    f'<p><button type="submit">Antwort senden</button></p></form>')
            self.send_page(("Fehler: " if error else "") + str(m["Subject"] or "(ohne Betreff)"), body,
                           422 if error else 200)

        def new_page(self, error="", sender="", subject="", text=""):
            error_html = f'<p class="error">{html.escape(error)}</p>' if error else ""
            body = (f"{error_html}<p>Eine Lehrkraft schreibt an den IT-Support ({html.escape(mailbox.support)}). "
                    f"Die Demo-Lehrkräfte haben die Adressen teacher-SCHULNUMMER@schulen.example.de, z.&nbsp;B. "
                    f"teacher-141017@schulen.example.de; jede andere Adresse ist unbekannt.</p>"
                    f'<form method="post" action="/neu">'
                    f'<p><label for="von">Von</label><input type="text" id="von" name="von" '
                    f'value="{html.escape(sender or "Lehrkraft <teacher-141017@schulen.example.de>")}"></p>'
                    f'<p><label for="betreff">Betreff</label><input type="text" id="betreff" name="betreff" '
                    f'value="{html.escape(subject)}"></p>'
                    f'<p><label for="text">Text</label><textarea id="text" name="text" rows="6">{html.escape(text)}'
                    f'</textarea></p><p><button type="submit">Senden</button></p></form>')
            self.send_page(("Fehler: " if error else "") + "Neue E-Mail an den IT-Support", body, 422 if error else 200)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailbox", required=True)
    parser.add_argument("--imap-port", type=int, required=True)
    parser.add_argument("--imap-user", required=True)
    parser.add_argument("--imap-password", required=True)
    parser.add_argument("--support", default="helpdesk@schulen.example.de")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    os.makedirs(args.mailbox, exist_ok=True)
    mailbox = Mailbox(args.mailbox, args.imap_port, args.imap_user, args.imap_password, args.support)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(mailbox))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
