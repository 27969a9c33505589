"""The smallest Flask app, served by `make load` under the same gunicorn settings as ours.

Its throughput is the yardstick for the public pages' (issue 12: at least
40 % of it): what gunicorn, Flask and the load tool cost with no work at all.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello"
