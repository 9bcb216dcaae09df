"""The one sanctioned way to delete journal rows: an explicit maintenance switch.

Rows can never be updated. Deleting them (the access register's 3-year retention, or a test
database being emptied) needs the connection to say so first: on PostgreSQL through the
session setting ``bouclier.audit_maintenance``, on SQLite through a function registered on
each connection. A connection that has not said so, including any SQL console, is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

_sqlite_switch = {"on": False}


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give each new SQLite connection the function its delete trigger consults."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "bouclier_audit_maintenance", 0, lambda: int(_sqlite_switch["on"])
        )


def set_maintenance(on: bool, connection: BaseDatabaseWrapper = default_connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('bouclier.audit_maintenance', %s, false)",
                ["on" if on else "off"],
            )
    _sqlite_switch["on"] = on


def close_maintenance(connection: BaseDatabaseWrapper = default_connection) -> None:
    """End maintenance without a query: closing the connection drops its session setting."""
    _sqlite_switch["on"] = False
    connection.close()


@contextmanager
def maintenance(connection: BaseDatabaseWrapper = default_connection) -> Iterator[None]:
    """Allow deleting journal rows on ``connection`` for the duration of the block."""
    set_maintenance(True, connection)
    try:
        yield
    finally:
        set_maintenance(False, connection)
