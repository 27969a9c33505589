"""The WSGI application gunicorn serves (see gunicorn.conf.py); APP_CONFIG picks its configuration."""
from app import create_app

app = create_app()
