"""How a feature adds what its modules mark to an application.

Rules (``permissions.rule``), template globals and filters (``templating.template_global``,
``templating.template_filter``) only mark functions on import; a feature's
``register(app)`` passes its modules to :func:`install`, so nothing is registered by
importing a module and the feature's wiring is read in one place.
"""

from types import ModuleType

from flask import Flask

from portal.kernel.permissions import install_rules
from portal.kernel.templating import install_template_helpers


def install(app: Flask, *modules: ModuleType) -> None:
    """Add the rules, template globals and template filters ``modules`` mark to ``app``."""
    install_rules(*modules)
    install_template_helpers(app, *modules)
