"""The clockcheck blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.clockcheck never loads its views)."""

from hub.clockcheck import bp, service, views  # noqa: F401  (register the routes on bp)

# Template globals (not context), so macros imported without context can mark a record's time too.
bp.add_app_template_global(service.suspect_since, "clock_suspect_since")
bp.add_app_template_global(service.was_suspect, "made_while_clock_suspect")

__all__ = ["bp"]
