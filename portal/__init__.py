"""Tandem's portal: the kernel every feature builds on (``portal.kernel``), the portal's own
features (accounts, notifications, reports, the weekly digest, demo data) and the
composition root (``portal.app``) that builds the application from every feature.

``flask --app portal`` and ``gunicorn 'portal:create_app()'`` find ``create_app`` here.
"""


def create_app(settings: dict | None = None):
    """Build the application; see :func:`portal.app.create_app`."""
    # The composition root imports every feature, and every feature imports the kernel,
    # which runs this module first: load the root only when an application is built.
    from portal.app import create_app as build

    return build(settings)
