"""The yardstick: a bare "hello world" Flask app under waitress, which the hub's figures are divided by.

Run by the bench as `python -m bench.hello --port P --threads N`, listening on 127.0.0.1 only.
"""

import argparse

from flask import Flask


def create_app():
    """A Flask app with a hello-world home page and a /healthz, nothing else."""
    app = Flask(__name__)

    @app.get("/")
    def index():
        return "Hello, world!"

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def main(argv=None):
    """Serve the app with waitress, as `communityhub run` serves the hub."""
    parser = argparse.ArgumentParser(prog="python -m bench.hello", description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    from waitress import serve

    serve(create_app(), host="127.0.0.1", port=args.port, threads=args.threads, ident="hello")


if __name__ == "__main__":
    main()
