"""Hot queries whose SQL text is built once: peewee builds a query's SQL anew every time it runs, which costs
more than SQLite answering the small queries of a page (a case's page ran ten of them).

A Prepared query is built once, on first use, with stand-in values for its parameters; its SQL text and the
places of the stand-ins among the parameters are kept, and each run swaps in the real values. Rows come back
as the built query would give them (model instances, joined models attached), read by the query's own cursor
wrapper.

    ACTIONS = Prepared(lambda case_id: CaseAction.select().where(CaseAction.case == case_id), int)
    ACTIONS.rows(7)  # [CaseAction, ...]
"""

import threading

from hub.db import database

# Values no real parameter takes: an integer far below any id, a string with a NUL.
_STAND_INS = {int: lambda n: -(2 ** 52) - n, str: lambda n: f"\0prepared-{n}"}


class Prepared:
    """A peewee query of a few parameters (their types given in order), its SQL built once."""

    def __init__(self, build, *types):
        self._build = build
        self._types = types
        self._lock = threading.Lock()
        self._built = None  # (query, sql, fixed params, [(position, index of the value)])

    def _prepare(self):
        with self._lock:
            if self._built is None:
                stand_ins = [_STAND_INS[kind](n) for n, kind in enumerate(self._types)]
                query = self._build(*stand_ins)
                sql, params = query.sql()
                slots = [(position, stand_ins.index(value)) for position, value in enumerate(params)
                         if type(value) in _STAND_INS and value in stand_ins]
                if {index for _, index in slots} != set(range(len(stand_ins))):
                    raise ValueError(f"a parameter of this query was converted, not passed: {sql}")
                self._built = (query, sql, params, slots)
        return self._built

    def _cursor(self, values):
        query, sql, params, slots = self._built or self._prepare()
        params = list(params)
        for position, index in slots:
            params[position] = values[index]
        return query, database.execute_sql(sql, params)

    def rows(self, *values):
        """The rows for these values, as the query itself would return them."""
        query, cursor = self._cursor(values)
        return list(query._get_cursor_wrapper(cursor))

    def first(self, *values):
        """The first row (build the query with .limit(1)), or None."""
        found = self.rows(*values)
        return found[0] if found else None

    def tuple(self, *values):
        """The first row as a plain tuple (counts and sums), or None."""
        return self._cursor(values)[1].fetchone()
