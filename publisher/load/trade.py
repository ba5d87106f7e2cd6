"""The anthology file's `[sales]` and `[prices]` tables: where the book may be sold and what it
costs, for the retailer package's ONIX record (export/onix.py). Called by anthology_file.py,
which reports each problem at the key's line and column.

    [sales]
    territories = ["WORLD"]          # or ISO 3166-1 alpha-2 codes: ["ES", "PT", "MX"]
    [prices]
    epub = { EUR = 9.99 }            # ISO 4217 code = amount, what a reader pays
    print = { EUR = 19.90, USD = 21.00 }

Country and currency codes are checked against CLDR's lists (base/locale.py: `countries`,
`currencies`, `currency_digits`); an amount may not have more decimals than its currency.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..base.locale import countries, currencies, currency_digits
from ..base.model import Price, Trade
from ..base.text import suggestion
from .toml_positions import KeyPath, Positions

SALES_KEYS = ("territories",)
PRICE_KEYS = ("epub", "print")
WORLD = "WORLD"  # ONIX List 49: the whole world
# Where the package's requirements point when something is missing (`Trade.lines`).
PLACED = (
    "identifiers", "identifiers.isbn_epub", "identifiers.isbn_print",
    "sales", "sales.territories", "prices", "prices.epub", "prices.print",
)  # fmt: skip

Fail = Callable[[KeyPath, str, str], None]  # (where, code, message), as _Reader.fail_at


# ISO 3166-1's "exceptionally reserved" codes, which people write for a country whose code is
# another: the United Kingdom is GB, Greece is GR (EL is the European Union's code for it).
EXCEPTIONAL = {"UK": "GB", "EL": "GR"}


def read_trade(data: dict[str, Any], at: Positions, fail: Fail) -> Trade:
    """`[sales]` and `[prices]` of the parsed anthology file `data`; `fail` reports each
    problem (`anthology-type`, `anthology-value`, `anthology-unknown-key`) at its key."""
    sales = _table(data, "sales", fail)
    prices = _table(data, "prices", fail)
    for table, name, known in ((sales, "sales", SALES_KEYS), (prices, "prices", PRICE_KEYS)):
        for key in table:
            if key not in known:
                fail(
                    (name, key),
                    "anthology-unknown-key",
                    f"unknown key `{name}.{key}`{suggestion(key, known)}",
                )
    lines = tuple(
        (dotted, at.of(*dotted.split("."))[0]) for dotted in PLACED if at.has(*dotted.split("."))
    )
    return Trade(
        territories=_territories(sales, fail),
        epub_prices=_prices(prices, "epub", fail),
        print_prices=_prices(prices, "print", fail),
        lines=lines,
    )


def _table(data: dict[str, Any], key: str, fail: Fail) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        fail((key,), "anthology-type", f"`{key}` must be a table: [{key}]")
        return {}
    return value


def _territories(sales: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    value = sales.get("territories", [WORLD])
    where: KeyPath = ("sales", "territories")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(where, "anthology-type", '`sales.territories` must be a list: ["WORLD"] or ["ES", …]')
        return (WORLD,)
    if not value:
        message = '`sales.territories` must name at least one territory: ["WORLD"] or ["ES", …]'
        fail(where, "anthology-value", message)
        return (WORLD,)
    codes = tuple(v.strip() for v in value)
    if WORLD in codes and len(codes) > 1:
        fail(where, "anthology-value", '`sales.territories`: "WORLD" stands alone')
        return (WORLD,)
    known = sorted(countries())
    for index, code in enumerate(codes):
        if code != WORLD and code not in known:
            exceptional = EXCEPTIONAL.get(code.upper())
            hint = (
                f" (did you mean `{exceptional}`?)"
                if exceptional
                else suggestion(code.upper(), [*known, WORLD])
            )
            fail(
                (*where, index),
                "anthology-value",
                f"`sales.territories`: `{code}` is not an ISO 3166-1 country code"
                f' (two capital letters, e.g. "ES") nor "WORLD"{hint}',
            )
    return codes


def _prices(prices: dict[str, Any], form: str, fail: Fail) -> tuple[Price, ...]:
    value = prices.get(form, {})
    where: KeyPath = ("prices", form)
    if not isinstance(value, dict):
        fail(where, "anthology-type", f"`prices.{form}` must be a table: {form} = {{ EUR = 9.99 }}")
        return ()
    found = []
    for currency, amount in value.items():
        price = _price(currency, amount, form, fail)
        if price is not None:
            found.append(price)
    return tuple(found)


def _price(currency: str, amount: Any, form: str, fail: Fail) -> Price | None:
    where: KeyPath = ("prices", form, currency)
    if currency not in currencies():
        hint = f" (did you mean `{currency.upper()}`?)" if currency.upper() in currencies() else ""
        fail(
            where,
            "anthology-value",
            f"`prices.{form}.{currency}`: not an ISO 4217 currency code in use"
            f" (three capital letters, e.g. EUR, USD){hint}",
        )
        return None
    number: Decimal | None = None
    if isinstance(amount, int | float | str) and not isinstance(amount, bool):
        try:
            number = Decimal(str(amount).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number <= 0:
        fail(where, "anthology-value", f"`prices.{form}.{currency}` must be an amount above 0")
        return None
    digits = currency_digits(currency)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        fail(
            where,
            "anthology-value",
            f"`prices.{form}.{currency}` = {amount}: {currency} amounts have at most"
            f" {digits} decimals",
        )
        return None
    return Price(currency, number.quantize(Decimal(1).scaleb(-digits)))
