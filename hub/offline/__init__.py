"""Work away from the hub's Wi-Fi: the web app manifest, the service worker, what a phone keeps ready for
use out of range, and the endpoints its outbox sends kept submissions to (once each).

The routes are registered by hub.offline.routes: the areas whose pages a phone keeps (hub.cases,
hub.sessions) import hub.offline.service, so this package must not import their views when it loads.
"""

from flask import Blueprint

bp = Blueprint("offline", __name__)
