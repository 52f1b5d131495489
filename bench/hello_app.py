"""The baseline for bench/http_load.py: a one-route Flask app, served with the same gunicorn settings.

`gunicorn bench.hello_app:app` from the repository root.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
