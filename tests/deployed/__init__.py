"""The app as deployed: gunicorn, nginx with TLS, production mode, real processes."""
