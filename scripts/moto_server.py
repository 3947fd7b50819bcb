"""moto's server, answering one request at a time.

moto's DynamoDB checks a ConditionExpression and then applies the write as separate steps with no
lock, so two concurrent conditional UpdateItems on one item can both succeed (seen: the same record
claimed twice by five simultaneous POSTs). DynamoDB makes each conditional write atomic, and the
service's claim relies on that. Serialising requests gives the emulator the same guarantee; it is
for tests and the local stack, where its throughput does not matter.

Usage: moto_server.py [-H HOST] [-p PORT]   (the options of moto's own `moto_server`)
"""

import argparse
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # The body is produced inside the lock too: the whole request is one step.
            return list(self.app(environ, start_response))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    # Threaded: connections are accepted while a request runs; OneAtATime orders the work.
    run_simple(args.host, args.port, OneAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
