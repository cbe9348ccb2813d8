#!/usr/bin/python3
"""The demo with mail, end to end, as a person uses it (ctest demo_mail): starts `tools/demo-mail --no-build` on free
loopback ports, then in the demo mailbox's pages a teacher writes to the support, the school's campus manager
receives campusdesk's notice and answers it there, and the teacher reads the answer on the ticket (campusdesk's API).
An unknown sender gets the one polite answer.

    /usr/bin/python3 tests/mail/demo_mail_check.py [BINARY]     (default: build/campusdesk)
"""
import email
import email.policy
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, seconds=30):
    until = time.time() + seconds
    while time.time() < until:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def post_form(url, fields):
    """POSTs a form without following the redirect; returns the status."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, urllib.parse.urlencode(fields).encode()) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def mails(directory):
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".eml"):
            with open(os.path.join(directory, name), "rb") as f:
                out.append((name, email.message_from_bytes(f.read(), policy=email.policy.default)))
    return out


def main():
    ports = {k: free_port() for k in ("web", "smtp", "imap", "mailbox")}
    data = tempfile.mkdtemp(prefix="campusdesk-demo-mail-")
    env = dict(os.environ, CAMPUSDESK_LISTEN=f"127.0.0.1:{ports['web']}", CAMPUSDESK_DEMO_SMTP_PORT=str(ports["smtp"]),
               CAMPUSDESK_DEMO_IMAP_PORT=str(ports["imap"]), CAMPUSDESK_DEMO_MAILBOX_PORT=str(ports["mailbox"]),
               CAMPUSDESK_DEMO_DATA=data, CAMPUSDESK_BINARY=sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(ROOT, "build/campusdesk"))
    log = open(os.path.join(data, "demo.log"), "w")
    demo = subprocess.Popen(["bash", os.path.join(ROOT, "tools/demo-mail"), "--no-build"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    web = f"http://127.0.0.1:{ports['web']}"
    mailbox = f"http://127.0.0.1:{ports['mailbox']}"
    try:
        def answers(url):
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False
        wait_until("campusdesk and the demo mailbox", lambda: answers(web + "/login") and answers(mailbox + "/"), 60)

        # A teacher writes to the support in the demo mailbox.
        subject = f"Beamer in Raum 7 zeigt kein Bild ({os.getpid()})"
        assert post_form(mailbox + "/neu", {"von": "Lehrkraft <teacher-141017@schulen.example.de>",
                                            "betreff": subject, "text": "Seit heute früh kein Bild."}) == 303
        # The manager of school 141017 (manager01) receives the notice of the new ticket.
        def notice():
            for name, m in mails(os.path.join(data, "mailbox")):
                if "a.kowalczyk@" in str(m["To"]) and subject in str(m["Subject"]):
                    return name, m
        name, m = wait_until("the manager's notice", notice)
        number = str(m["Subject"]).split("]")[0].lstrip("[")
        # The manager answers it in the demo mailbox.
        answer = "Ich komme morgen um 8 Uhr und sehe mir den Beamer an."
        assert post_form(f"{mailbox}/mail/{name}/antworten", {"text": answer}) == 303

        # The teacher reads the answer on the ticket, without the quoted notice.
        jar = http.cookiejar.CookieJar()
        api = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = urllib.request.Request(web + "/api/v1/session", json.dumps({"login": "teacher-141017", "password": "demo"}).encode(),
                                       {"Content-Type": "application/json"})
        api.open(login).read()

        def replies():
            with api.open(f"{web}/api/v1/tickets/{number}") as r:
                ticket = json.load(r)
            return [(e["actor"]["name"], e["body"]) for e in ticket["events"] if e["kind"] == "public_reply"]
        got = wait_until("the answer on the ticket", replies)
        assert got == [("Andrea Kowalczyk", answer)], got

        # A stranger gets one polite answer.
        assert post_form(mailbox + "/neu", {"von": "fremd@example.org", "betreff": "Hallo", "text": "Wer hilft?"}) == 303
        wait_until("the answer to the stranger",
                   lambda: any("fremd@example.org" in str(m["To"]) for _, m in mails(os.path.join(data, "mailbox"))))
        # Bad input in the mailbox's form: a German message, nothing sent.
        assert post_form(mailbox + "/neu", {"von": "", "betreff": "", "text": ""}) == 422
        print(f"demo with mail: teacher's mail -> {number} -> manager's notice -> answer by mail -> on the ticket: ok")
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
        log.close()
        if sys.exc_info()[0]:
            print(open(os.path.join(data, "demo.log")).read()[-4000:])
        else:
            subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()
