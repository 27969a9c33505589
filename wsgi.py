"""The WSGI application gunicorn serves (see gunicorn.conf.py).

Production unless APP_CONFIG says otherwise: a server started without
configuration refuses to run rather than run with development settings.
"""
import os

from app import create_app

app = create_app(os.environ.get("APP_CONFIG", "production"))
