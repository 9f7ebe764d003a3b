"""The district aggregator: enrols hubs, takes in their signed monthly bundles and shows the district's
figures. One Flask app (`app.create_app`), its own database (SQLite or PostgreSQL, `db`), its own key.

Data flow: hub transport / USB / relay -> `api` (HTTP) or `usb` -> `enrol` and `ingest` (verify, validate,
store, sign a receipt) -> `models` -> the admin pages.
"""
