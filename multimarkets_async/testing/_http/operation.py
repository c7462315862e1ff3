"""What an operation is to the simulator: the admitted ``SimCall``, the ``SimOperation`` entry,
and the checks every trading handler shares (tradeType per service, the caller's account).

The operation table is assembled in ``handlers.table`` from the entries of each handler module; a handler
takes a ``SimCall`` and returns the envelope's ``data``, or raises ``SimError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from .._exchange.records import SimAccount, SimPosition, TradingError
from .error_codes import CFD_FULL, CFD_ISOLATED, SimError
from .fields import int_field

if TYPE_CHECKING:
    from .state_view import HttpState

__all__ = [
    "AUTH2_ONLY",
    "CLIENT_AND_OPEN",
    "CLIENT_ONLY",
    "TRADE_GROUP",
    "V1",
    "Handler",
    "Route",
    "SimCall",
    "SimOperation",
    "caller_account",
    "caller_position",
    "trade_op",
    "trade_type_for",
    "trading_biz_code",
    "trading_error",
]

Route = Literal["login", "register", "global", "logout", "now", "auth2"]

V1: Final = "0.0.1"
TRADE_GROUP: Final = "tradeApi"


@dataclass(frozen=True, slots=True)
class SimCall:
    """One admitted request, as a handler sees it.

    Attributes:
        state: the simulator.
        body: the business body (decrypted if it came encrypted).
        customer_id: the authenticated customer, or ``None`` on a guest call.
        family: ``"client"``, ``"open"``, ``"auth2"``, ``"manager"`` or ``"bridge"``.
        biz_type: the operation name from the path.
        now_ms: the server time.
        token: the Client login token sent, if any.
    """

    state: HttpState
    body: dict[str, Any]
    customer_id: int | None
    family: str
    biz_type: str
    now_ms: int
    token: str | None = None


Handler = Callable[[SimCall], Any]


CLIENT_AND_OPEN: frozenset[str] = frozenset({"client", "open"})
CLIENT_ONLY: frozenset[str] = frozenset({"client"})
AUTH2_ONLY: frozenset[str] = frozenset({"auth2"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SimOperation:
    """Metadata and handler of one operation.

    Attributes:
        biz_type: the name in the URL path.
        handler: the function producing ``data``.
        access: ``"guest"`` (no token needed) or ``"login"``.
        route: the path prefix it is served under.
        families: the API families that serve it.
        version: the ``version`` header it declares (``""`` = none); checked only in strict mode.
        group: the ``group`` header it declares (``""`` = none); checked only in strict mode.
        alt_versions: other ``version`` values strict mode accepts.
        allow_empty_body: an empty body is fine (``/logout``, ``/thirdExt/now``).
    """

    biz_type: str
    handler: Handler
    access: Literal["guest", "login"]
    route: Route = "global"
    families: frozenset[str] = CLIENT_AND_OPEN
    version: str = ""
    group: str = ""
    alt_versions: frozenset[str] = frozenset()
    allow_empty_body: bool = False


def trade_op(biz_type: str, handler: Handler) -> SimOperation:
    """A trading operation (endpoints 5): login, Client and Open API, version 0.0.1, group tradeApi."""
    return SimOperation(biz_type=biz_type, handler=handler, access="login", version=V1, group=TRADE_GROUP)


# ---------------------------------------------------------------------------- shared trading checks


def trading_biz_code(trade_type: object) -> str:
    """The bizCode of trading errors for ``trade_type``: ``CFD`` for 1, ``CFDWBW`` otherwise."""
    return CFD_FULL if trade_type == 1 else CFD_ISOLATED


def trading_error(exc: TradingError, biz_code: str) -> SimError:
    """The envelope error of a refused trading rule."""
    return SimError(exc.code, biz_code, msg_params=exc.msg_params)


def trade_type_for(call: SimCall, *, by_service: bool = True) -> tuple[int, str]:
    """The request's ``tradeType`` and the bizCode of its errors.

    With ``by_service``, a ``CfdMM…`` service serves tradeType 1 only and a ``CfdWBW…`` service
    tradeType 2 only (endpoints 5.6, 5.8-5.10 name each service's tradeType); the ``OrderApiService``
    and ``PositionApiService`` names serve both.

    Raises:
        SimError: ``E000005`` missing, ``E000006`` not an integer, ``E000007`` a tradeType the
            service does not serve.
    """
    service = call.biz_type.rsplit(".", 2)[-2] if call.biz_type.count(".") >= 2 else ""
    allowed: tuple[int, ...] = (1, 2)
    if by_service and service.startswith("CfdMM"):
        allowed = (1,)
    elif by_service and service.startswith("CfdWBW"):
        allowed = (2,)
    raw = call.body.get("tradeType")
    biz_code = CFD_FULL if allowed == (1,) else trading_biz_code(raw)
    trade_type = int_field(call.body, "tradeType", biz_code)
    assert trade_type is not None
    if trade_type not in allowed:
        raise SimError("E000007", biz_code)
    return trade_type, biz_code


def caller_account(
    call: SimCall, trade_type: int, biz_code: str, *, currency_key: str = "accountCurrency"
) -> SimAccount:
    """The caller's account of ``trade_type`` named by ``accountId`` and/or the currency field
    (either may be left out; the first account of the tradeType is taken then).

    Raises:
        SimError: ``E000006`` for a mistyped field, ``E000007`` when no such account is the caller's.
    """
    account_id = int_field(call.body, "accountId", biz_code, required=False)
    currency = call.body.get(currency_key)
    if currency is not None and not isinstance(currency, str):
        raise SimError("E000006", biz_code)
    account = call.state.exchange.find_account(
        trade_type, account_id=account_id, currency=currency or None, customer_id=call.customer_id
    )
    if account is None:
        raise SimError("E000007", biz_code)
    return account


def caller_position(call: SimCall, account: SimAccount, biz_code: str) -> SimPosition:
    """The position named by ``positionId`` (required), which must be on ``account``.

    Raises:
        SimError: ``E000005``/``E000006`` for the field, ``E000008`` when there is no such position.
    """
    position_id = int_field(call.body, "positionId", biz_code)
    position = call.state.exchange.positions.get(position_id or 0)
    if position is None or position.account_id != account.account_id:
        raise SimError("E000008", biz_code)
    return position
