"""Open API keys: the seeded key, keys applied over the API, their permissions, IP binding and expiry.

Keys applied with ``applyApi`` (endpoints 3) get a fresh RSA-1024 pair generated with
``cryptography`` (about 10 ms each); the Open API gateway verifies their signatures with the
generated public key. Permissions (endpoints 3.3): ``ready_only`` is always on; a fresh key has
``trade``, ``contract_trade`` and ``captial_out`` off. Which operations each permission unlocks is
Assumption ``api_permission_map``: ``contract_trade`` the contract order operations of endpoints 5
(placing, changing and cancelling orders, SL/TP, leverage, margin), ``trade`` the spot order
operations, ``captial_out`` the withdrawal operations, ``ready_only`` everything else. The seeded
key (``Simulator.api_key``) has every permission and never expires.

A key expires ``validityDays`` (90) after creation unless IPs are bound (``whiteIps``), which makes
it permanent; with IPs bound, calls from other addresses are refused (``00012007``).
"""

from __future__ import annotations

import base64
import dataclasses
import random
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ...protocol import crypto

__all__ = [
    "PERMISSIONS",
    "SimApiKey",
    "SimApiKeys",
    "all_permissions",
    "default_permissions",
    "required_permission",
    "sources_for",
]

_DAY_MS: Final = 86_400_000

PERMISSIONS: Final[tuple[tuple[str, str, int, bool], ...]] = (
    ("ready_only", "Read", 1, False),
    ("trade", "Spot trade", 2, True),
    ("contract_trade", "Contract trade", 2, True),
    ("captial_out", "Withdraw", 2, True),
)
"""``(code, name, default status, canEdit)`` per permission (endpoints 3.3; the misspellings are the
platform's literal codes). Status 1 enabled, 2 disabled."""

_CONTRACT_SERVICES: Final = frozenset(
    {
        "OrderApiService",
        "CfdMMOrderApiService",
        "CfdWBWOrderApiService",
        "PositionApiService",
        "CfdMMPositionApiService",
    }
)
_CONTRACT_METHODS: Final = (
    "addMarketOrder",
    "updatePboOrder",
    "closePboOrder",
    "closeTradePboOrder",
    "updateOrder",
    "setCrossLevelNum",
    "updateCrossLevelNum",
    "updateOccupyTheMargin",
)
_SPOT_OPERATIONS: Final = frozenset(
    {"tradeapi.app.OrderApiService.addOrder", "tradeapi.app.SpotOrderApiService.closeTradePboOrder"}
)
_WITHDRAW_OPERATIONS: Final = frozenset(
    {
        "fund.app.WithdrawAppDubboService.createWithdrawProposal",
        "customer.app.CustomerWalletWebApiService.addWithdrawalAddressMFA",
    }
)
_READ_SOURCES: Final = (
    *(
        f"config.app.{name}__"
        for name in (
            "AppSymbolDubboService.getSymbolBaseList",
            "AppSymbolDubboService.getSymbolDetail",
            "AppSymbolDubboService.getSymbolList",
            "AppDictDubboService.getListByParentCode",
            "AppAssetsDubboService.getAssetsList",
            "ParamDubboService.getPage",
        )
    ),
    *(
        f"customer.app.{name}_0.0.1_"
        for name in (
            "CustomerWebApiService.findCustomerInfo",
            "CustomerWebApiService.queryCustomerAssetsInfo",
            "CustomerWebApiService.queryAccountById",
            "CustomerWebApiService.queryCustomerAssets",
            "CustomerOptionalWebApiService.optionalList",
            "CustomerWalletWebApiService.walletList",
        )
    ),
    *(
        f"tradeapi.app.{name}_0.0.1_tradeApi"
        for name in (
            "OrderApiService.queryOrderPage",
            "OrderApiService.queryOrderDetail",
            "OrderApiService.queryPBOOrderPage",
            "OrderApiService.queryHistoryCloseOrderList",
            "OrderApiService.queryCapitalFlowList",
            "OrderApiService.previewOrder",
            "OrderApiService.queryTradeRecordPage",
            "PositionApiService.queryPositionPage",
            "PositionApiService.queryPositionDetail",
        )
    ),
    "order.app.OrderDubboService.queryRequestOrderPage__",
)
_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "ready_only": _READ_SOURCES,
    "trade": tuple(f"{op}_0.0.1_tradeApi" for op in sorted(_SPOT_OPERATIONS)),
    "contract_trade": tuple(
        f"tradeapi.app.{service}.{method}_0.0.1_tradeApi"
        for service in ("OrderApiService", "CfdMMOrderApiService", "CfdWBWOrderApiService")
        for method in _CONTRACT_METHODS
    ),
    "captial_out": tuple(f"{op}_0.0.1_" for op in sorted(_WITHDRAW_OPERATIONS)),
}


def required_permission(biz_type: str) -> str:
    """The permission an Open API call of ``biz_type`` needs (Assumption ``api_permission_map``)."""
    if biz_type in _SPOT_OPERATIONS:
        return "trade"
    if biz_type in _WITHDRAW_OPERATIONS:
        return "captial_out"
    parts = biz_type.split(".")
    contract = len(parts) == 4 and parts[0] == "tradeapi" and parts[2] in _CONTRACT_SERVICES
    if contract and parts[3] in _CONTRACT_METHODS:
        return "contract_trade"
    return "ready_only"


def sources_for(permissions: dict[str, int]) -> list[str]:
    """The operation keys (``bizType_version_group``) the enabled permissions allow (``sources``)."""
    return [src for code, status in permissions.items() if status == 1 for src in _SOURCES[code]]


def default_permissions() -> dict[str, int]:
    """A fresh key's permissions: read only."""
    return {code: status for code, _, status, _ in PERMISSIONS}


def all_permissions() -> dict[str, int]:
    """Every permission enabled (the seeded key)."""
    return {code: 1 for code, _, _, _ in PERMISSIONS}


@dataclass(slots=True)
class SimApiKey:
    """An Open API key: the ``apiKey`` text, its owner, its key pair and its settings.

    Attributes:
        api_key: the 32-hex ``apiKey``.
        customer_id: the owner.
        secret_key: the private key (base64 PKCS#8), kept only for the seeded key's accessor.
        public_key: the public key (base64 X.509) that verifies its signatures.
        record_id: the ``id`` of key management (edit, delete).
        tag: its unique label.
        permissions: permission code -> status (1 enabled, 2 disabled).
        white_ips: the bound IPs (comma-separated), or ``None``.
        create_time_ms: creation time.
        update_time_ms: last change.
        validity_days: 90 for an unbound key, ``None`` when permanent.
        secret_key_md5: ``secretKeyMd5``, the MD5 of the private key's text.
    """

    api_key: str
    customer_id: int
    secret_key: str = dataclasses.field(repr=False)
    public_key: str = dataclasses.field(repr=False)
    record_id: int = 0
    tag: str = ""
    permissions: dict[str, int] = dataclasses.field(default_factory=all_permissions)
    white_ips: str | None = None
    create_time_ms: int = 0
    update_time_ms: int = 0
    validity_days: int | None = None
    secret_key_md5: str = ""

    @property
    def expired_time_ms(self) -> int | None:
        """When it expires (``None`` = never)."""
        return None if self.validity_days is None else self.create_time_ms + self.validity_days * _DAY_MS

    def expired(self, now_ms: int) -> bool:
        """Whether the key has expired at ``now_ms``."""
        end = self.expired_time_ms
        return end is not None and now_ms >= end

    def ip_allowed(self, host: str) -> bool:
        """Whether a call from ``host`` may use the key (always, unless IPs are bound)."""
        if not self.white_ips:
            return True
        return host in {ip.strip() for ip in self.white_ips.split(",")}


class SimApiKeys:
    """Every Open API key, by ``apiKey`` text and by record id.

    Args:
        seeded: the seeded key (every permission, permanent).
        rng: the seeded source of new ``apiKey`` values.
    """

    def __init__(self, seeded: SimApiKey, rng: random.Random) -> None:
        self._rng = rng
        self.by_key: dict[str, SimApiKey] = {}
        self._verifiers: dict[str, RSAPublicKey] = {}
        self._next_id = 1
        self.add(seeded)

    def add(self, key: SimApiKey) -> SimApiKey:
        """Register a key (gives it the next record id when it has none)."""
        if not key.record_id:
            key.record_id = self._next_id
        self._next_id = max(self._next_id, key.record_id) + 1
        self.by_key[key.api_key] = key
        self._verifiers[key.api_key] = crypto.load_public_key(key.public_key)
        return key

    def get(self, api_key: str) -> SimApiKey | None:
        """The key with this ``apiKey`` text."""
        return self.by_key.get(api_key)

    def by_id(self, record_id: object, customer_id: int | None) -> SimApiKey | None:
        """The key with this record id, when it belongs to ``customer_id``."""
        return next(
            (k for k in self.by_key.values() if k.record_id == record_id and k.customer_id == customer_id),
            None,
        )

    def of_customer(self, customer_id: int | None) -> list[SimApiKey]:
        """A customer's keys, newest first."""
        return sorted(
            (k for k in self.by_key.values() if k.customer_id == customer_id), key=lambda k: -k.record_id
        )

    def verifier(self, api_key: str) -> RSAPublicKey:
        """The loaded public key verifying ``api_key``'s signatures."""
        return self._verifiers[api_key]

    def generate(self, customer_id: int, tag: str, now_ms: int) -> tuple[SimApiKey, str]:
        """Create a read-only key with a new RSA-1024 pair; return it and its private key (base64)."""
        # RSA-1024 is what the platform issues (endpoints 3.1); this is a test server's key.
        private = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
        private_der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        private_b64 = base64.b64encode(private_der).decode("ascii")
        key = SimApiKey(
            api_key=f"{self._rng.getrandbits(128):032x}",
            customer_id=customer_id,
            secret_key="",  # the platform returns it once and keeps no copy
            public_key=base64.b64encode(public_der).decode("ascii"),
            tag=tag,
            permissions=default_permissions(),
            create_time_ms=now_ms,
            update_time_ms=now_ms,
            validity_days=90,
            secret_key_md5=crypto.secret_key_md5(private_b64),
        )
        return self.add(key), private_b64

    def delete(self, key: SimApiKey) -> None:
        """Remove a key: its next Open API call answers ``00012003``."""
        self.by_key.pop(key.api_key, None)
        self._verifiers.pop(key.api_key, None)
