"""The partner side of ``Simulator``: Auth2, Manager and Bridge credentials, data push, platform mode.

A mixin, so the ``Simulator`` class keeps its one module for the lifecycle and the trading side.
It reads the same ``SimState`` and adds nothing the core families depend on.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute

from ._partners.platform import Platform
from ._partners.state import BridgeState, CallbackRecord
from ._sockets.datapush import datapush_routes
from ._sockets.datapush_hub import DataPushHub

if TYPE_CHECKING:
    from .._tasks import TaskHost
    from ._server.state import SimState
    from ._server.uvicorn import Server

__all__ = ["BackOffice"]


class BackOffice:
    """Auth2, Manager API, Bridge API, data-push socket and platform-mode members of ``Simulator``."""

    _state: SimState
    _server: Server | None
    _platform: Platform | None = None

    # ------------------------------------------------------------------ wiring (private)

    def _backoffice_routes(self) -> list[BaseRoute]:
        return datapush_routes(self._state.sockets, self._state.datapush, self._state.manager.valid)

    def _start_backoffice(self, tasks: TaskHost) -> None:
        def spawn(func: Callable[[], Coroutine[Any, Any, None]]) -> None:
            tasks.start_soon(func)

        self._state.bridge.spawn = spawn
        self._state.datapush.pong_sender = self._send_pong

    def _stop_backoffice(self) -> None:
        self._state.bridge.spawn = None
        self._state.datapush.pong_sender = None

    def _backoffice_prices(self) -> None:
        from ._http.handlers.bridge import (
            fill_resting,  # the operations table needs the whole app; load it late
        )

        fill_resting(self._state, self._state.now_ms())

    def _send_pong(self, scope: dict[str, object]) -> bool:
        return self._server is not None and self._server.pong(scope)

    # ------------------------------------------------------------------ Auth2 and Manager API

    @property
    def auth2_app_id(self) -> str:
        """The seeded Auth2 app's ``appId`` (32 hex, derived from the seed)."""
        return self._state.auth2.app.app_id

    @property
    def auth2_app_secret(self) -> str:
        """The seeded Auth2 app's ``appSecret`` (32 hex, derived from the seed)."""
        return self._state.auth2.app.app_secret

    @property
    def manager_app_id(self) -> str:
        """The seeded Manager ``appId`` for authorize (32 hex, derived from the seed)."""
        return self._state.manager.app_id

    @property
    def manager_app_secret(self) -> str:
        """The seeded Manager ``appSecret`` (32 hex, derived from the seed)."""
        return self._state.manager.app_secret

    @property
    def manager_tokens(self) -> dict[str, bool]:
        """Issued company tokens -> whether they have expired."""
        return self._state.manager.tokens

    def expire_manager_tokens(self) -> None:
        """Expire every company token: Manager calls answer ``GATEWAY_CODE_005``, the data-push
        handshake is refused (403)."""
        self._state.manager.expire_all()

    @property
    def webhook_urls(self) -> dict[str, str]:
        """The Webhook API URLs registered with ``CompanyWebhookDubboService.subscribe``."""
        return self._state.webhook_urls

    # ------------------------------------------------------------------ Bridge API

    @property
    def bridge_api_key(self) -> str:
        """The seeded Bridge ``apiKey`` (32 hex, derived from the seed)."""
        return self._state.manager.bridge_api_key

    @property
    def bridge_secret_key(self) -> str:
        """The Bridge key's secret: base64 PKCS#8 RSA-1024 (the published ``POSTMAN_ROBOT`` TEST key)."""
        return self._state.manager.bridge_secret_key

    @property
    def bridge(self) -> BridgeState:
        """The Bridge state: exchange accounts, direct orders, webhooks, callbacks, ``transport``."""
        return self._state.bridge

    @property
    def callbacks(self) -> list[CallbackRecord]:
        """Every Bridge callback sent (``await sim.bridge.wait_callbacks(n)`` waits for them)."""
        return self._state.bridge.callbacks

    # ------------------------------------------------------------------ data push and platform mode

    @property
    def datapush(self) -> DataPushHub:
        """The Manager data-push events: ``emit``, ``duplicate_next``, ``deposit``, ``withdraw``,
        ``approve_kyc``, ``update_account``, ``events``."""
        return self._state.datapush

    @property
    def platform(self) -> Platform:
        """Platform mode: ``query_balance``, ``adjust`` and ``send_message`` calls to an integrator."""
        if self._platform is None:
            config = self._state.config
            self._platform = Platform(
                config.company_id,
                self._state.now_ms,
                timeout_s=config.webhook_timeout_s,
                other_timeout_s=config.webhook_other_timeout_s,
                cancel_retry_delays_s=config.webhook_cancel_retry_delays_s,
                registered=lambda: self._state.webhook_urls,
            )
        return self._platform
