"""Quoting for the few places where DuckDB cannot bind a parameter.

User-given names (an attribute's header) are quoted as identifiers; constants that cannot be
bound (a file path in ``read_csv``'s arguments, a workspace name inside a view) as string
literals. Everything else binds its values as parameters.
"""

from __future__ import annotations

__all__ = ["quote_identifier", "sql_string"]


def quote_identifier(name: str) -> str:
    '''Quote a user-given name for DuckDB SQL.

    >>> print(quote_identifier('Rating "overall"'))
    "Rating ""overall"""
    '''
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """Quote a constant as a SQL string literal (only for places that cannot bind parameters,
    such as the arguments of ``read_csv`` in a ``CREATE TABLE AS``).

    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"
