#!/usr/bin/env python3
"""Client for tests/reliability/run: drives ticket creation at full speed and verifies acknowledged tickets.

  crash_client.py drive  --port P --login L --password-file F --workers N --out FILE [--seconds S] [--count C]
      N threads, each with its own keep-alive connection, POST tickets until the server goes away (or S
      seconds pass, or C tickets were acknowledged). Every 201 is appended to FILE as "number<TAB>title<TAB>unix-time" once the threads end.
      Prints a JSON summary: acknowledged, statuses of other answers, requests sent but never answered.
  crash_client.py verify --port P --login L --password-file F FILE...
      Every acknowledged ticket must answer 200 with its title and a `created` first event.
  crash_client.py disk-full --port P --login L --password-file F --filler FILE [--max N]
      Logs in and creates one ticket, fills the disk with FILE, creates until one answer is 503 with
      Retry-After and a message, deletes FILE, and creates again until a 201 comes back.
  crash_client.py create --port P --login L --password-file F [--retries N]
      One ticket; succeeds once an answer is 201 (retrying on 503), prints its number.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time


class Session:
    def __init__(self, port, login, password):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"login": login, "password": password})
        self.conn.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
        res = self.conn.getresponse()
        data = res.read()
        if res.status != 200:
            raise SystemExit(f"login failed: {res.status} {data[:200]!r}")
        self.csrf = json.loads(data)["csrf_token"]
        cookie = res.getheader("Set-Cookie", "")
        self.cookie = cookie.split(";", 1)[0]

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def headers(self):
        return {"Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Content-Type": "application/json"}


def ticket_body(title):
    return json.dumps({"category": "network", "priority": "high", "title": title,
                       "description": "Absturztest: dieses Ticket muss nach jedem Neustart da sein.",
                       "room": "A 0.12", "asset_tag": ""})


def drive(args, session):
    acked, others, unanswered, errors = [], {}, [0], []
    lock = threading.Lock()
    deadline = time.time() + args.seconds

    def worker(w):
        conn = session.connection()
        i = 0
        while time.time() < deadline and (args.count is None or len(acked) < args.count):
            i += 1
            title = f"Absturztest {args.tag} {w}-{i}"
            try:
                conn.request("POST", "/api/v1/tickets", ticket_body(title), session.headers())
            except OSError as e:  # the server is gone: the request never left
                with lock:
                    errors.append(type(e).__name__)
                return
            try:
                res = conn.getresponse()
                data = res.read()
            except (OSError, http.client.HTTPException) as e:  # sent, but no answer: not acknowledged
                with lock:
                    unanswered[0] += 1
                    errors.append(type(e).__name__)
                return
            with lock:
                if res.status == 201:
                    acked.append((json.loads(data)["number"], title, time.time()))
                else:
                    others[res.status] = others.get(res.status, 0) + 1
            if res.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = session.connection()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.out, "a") as f:
        for number, title, at in acked:
            f.write(f"{number}\t{title}\t{at:.6f}\n")
    print(json.dumps({"acknowledged": len(acked), "other_statuses": others, "unanswered": unanswered[0],
                      "errors": sorted(set(errors))}))


def verify(args, session):
    conn = session.connection()
    checked = missing = 0
    for path in args.files:
        with open(path) as f:
            for line in f:
                number, title, _ = line.rstrip("\n").split("\t")
                conn.request("GET", f"/api/v1/tickets/{number}", headers={"Cookie": session.cookie})
                res = conn.getresponse()
                data = res.read()
                checked += 1
                ok = res.status == 200
                if ok:
                    t = json.loads(data)
                    ok = t.get("title") == title and t.get("events") and t["events"][0].get("kind") == "created"
                if not ok:
                    missing += 1
                    print(f"LOST: {number} ({title}): {res.status} {data[:200]!r}", file=sys.stderr)
    print(json.dumps({"checked": checked, "lost": missing}))
    return 1 if missing else 0


def disk_full(args, session):
    """Logged in first (a login writes too), then: fill the disk, create until 503, free the space, create."""
    conn = session.connection()

    def post(title):
        conn.request("POST", "/api/v1/tickets", ticket_body(title), session.headers())
        res = conn.getresponse()
        return res, res.read()

    res, data = post("Vor dem Füllen")
    if res.status != 201:
        print(f"first create: {res.status} {data[:300]!r}", file=sys.stderr)
        return 1
    with open(args.filler, "wb") as f:  # until "No space left on device"
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    outcome = None
    for i in range(args.max):
        res, data = post(f"Platte voll {i}")
        if res.status == 201:
            continue
        if res.status != 503:
            print(f"expected 201 or 503, got {res.status}: {data[:300]!r}", file=sys.stderr)
            return 1
        outcome = {"created_before_503": i, "status": 503, "retry_after": res.getheader("Retry-After"),
                   "message": json.loads(data).get("error", {}).get("message", "")}
        break
    os.remove(args.filler)
    if not outcome or not outcome["message"] or not outcome["retry_after"]:
        print(f"no proper 503 after {args.max} creates: {outcome}", file=sys.stderr)
        return 1
    for attempt in range(args.retries):
        res, data = post("Nach dem Aufräumen")
        if res.status == 201:
            outcome["recovered_after_attempts"] = attempt + 1
            outcome["recovered_ticket"] = json.loads(data)["number"]
            print(json.dumps(outcome, ensure_ascii=False))
            return 0
        time.sleep(0.2)
    print(f"no recovery: still {res.status} after {args.retries} tries: {data[:300]!r}", file=sys.stderr)
    return 1


def create(args, session):
    for _ in range(args.retries):
        conn = session.connection()
        conn.request("POST", "/api/v1/tickets", ticket_body("Nach dem Aufräumen"), session.headers())
        res = conn.getresponse()
        data = res.read()
        if res.status == 201:
            print(json.loads(data)["number"])
            return 0
        time.sleep(0.2)
    print(f"still {res.status} after {args.retries} tries: {data[:300]!r}", file=sys.stderr)
    return 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["drive", "verify", "disk-full", "create"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--login", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--count", type=int, help="drive: stop after this many acknowledged tickets")
    p.add_argument("--out")
    p.add_argument("--tag", default="")
    p.add_argument("--ready", help="drive: a file created once logged in")
    p.add_argument("--max", type=int, default=20000)
    p.add_argument("--filler")
    p.add_argument("--retries", type=int, default=25)
    p.add_argument("files", nargs="*")
    args = p.parse_intermixed_args()
    with open(args.password_file) as f:
        password = f.read().strip()
    session = Session(args.port, args.login, password)
    if args.ready:
        open(args.ready, "w").close()
    if args.mode == "drive":
        return drive(args, session) or 0
    return {"verify": verify, "disk-full": disk_full, "create": create}[args.mode](args, session)


if __name__ == "__main__":
    sys.exit(main())
