"""The security headers every response carries, error pages included, in one place.

This module imports nothing, so deploy/gunicorn.conf.py can read it by path without loading
the app into gunicorn's master process (where it would outlive a graceful reload).
"""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"

# The headers that go on every response; nginx and the gunicorn config add the same ones to
# the responses they make themselves (HSTS only over HTTPS, in production).
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # `same-origin`: our own pages send a Referer to our own pages and to nobody else, so no
    # submission id in a URL ever reaches another site. (`no-referrer` also made browsers send
    # `Origin: null` on our own form posts.)
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
