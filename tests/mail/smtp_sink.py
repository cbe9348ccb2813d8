#!/usr/bin/python3
"""A real SMTP server for tests and the demo (Debian python3-aiosmtpd): every message it accepts is written to a
directory as one .eml file (written whole, then renamed, so a reader never sees half a message).

    /usr/bin/python3 tests/mail/smtp_sink.py --dir DIR [--port PORT]

Prints "listening on 127.0.0.1:PORT" once it accepts connections (PORT 0 or absent: a free one) and runs until
it is stopped (SIGTERM, SIGINT).
"""
import argparse
import email
import email.policy
import itertools
import os
import signal
import socket
import threading

from aiosmtpd.controller import Controller


class DirectoryHandler:
    def __init__(self, directory, show):
        self.directory = directory
        self.show = show
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        name = f"{os.getpid()}-{n:07d}"
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, name + ".eml"))
        if self.show:
            message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            print(f"{name}.eml  an {', '.join(envelope.rcpt_tos)}: {message['subject']}", flush=True)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    # SIGTERM and SIGINT are blocked before the controller's thread starts (it inherits the mask) and taken with
    # sigwait. A handler that set a threading.Event while the main thread waited on that Event deadlocked now and
    # then: the signal can arrive while the main thread holds the Event's lock, and set() waits for it for ever
    # (a server test hung on a stopped sink for minutes).
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    controller = Controller(DirectoryHandler(args.dir, args.show), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    signal.sigwait(stop_signals)
    controller.stop()


if __name__ == "__main__":
    main()
