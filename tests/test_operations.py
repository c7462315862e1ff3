"""Operation metadata: paths, version/group headers, retry safety and the bizType fallback."""

from __future__ import annotations

import pytest

from multimarkets_async.protocol.operations import fallback_biz_type, operation_for


@pytest.mark.parametrize(
    ("biz_type", "version", "group"),
    [
        ("tradeapi.app.OrderApiService.addMarketOrder", "0.0.1", "tradeApi"),
        ("tradeapi.app.PositionApiService.queryPositionPage", "0.0.1", "tradeApi"),
        ("customer.app.CustomerWebApiService.findCustomerInfo", "0.0.1", None),
        ("fund.app.WithdrawApiService.queryPage", "0.0.1", None),
        ("message.app.VerificationApiService.verifyCodeSend", "0.0.1", None),
        ("config.app.AppSymbolDubboService.getSymbolBaseList", None, None),
        ("config.app.AppSymbolDubboService.getSymbolDetail", "0.0.2", None),
        ("getMsgPushToken", None, None),
    ],
)
def test_version_and_group_follow_the_documented_rules(
    biz_type: str, version: str | None, group: str | None
) -> None:
    operation = operation_for(biz_type)
    assert (operation.version, operation.group) == (version, group)


def test_paths() -> None:
    assert operation_for("customer.app.CustomerWebApiService.login").path == (
        "/login/customer.app.CustomerWebApiService.login"
    )
    assert operation_for("customer.app.CustomerWebApiService.register").path.startswith("/register/")
    assert operation_for("thirdExt/now").path == "/thirdExt/now"
    assert operation_for("logout").path == "/logout"
    assert operation_for("thirdExt/randomKey").path == "/global/thirdExt/randomKey"
    assert operation_for("getMsgPushToken").path == "/global/getMsgPushToken"


def test_reads_are_repeatable_and_orders_are_idempotency_guarded() -> None:
    assert operation_for("tradeapi.app.OrderApiService.queryOrderPage").safe_to_repeat
    assert not operation_for("tradeapi.app.OrderApiService.queryOrderPage").changes_orders
    place = operation_for("tradeapi.app.OrderApiService.addMarketOrder")
    assert place.changes_orders
    assert not place.safe_to_repeat
    assert operation_for("tradeapi.app.OrderApiService.cancelPboOrder").changes_orders
    assert operation_for("tradeapi.app.PositionApiService.updatePositionStopLossProfit").changes_orders
    # A write that is not about orders is neither repeatable nor an order.
    profile = operation_for("customer.app.CustomerWebApiService.updateNickName")
    assert not profile.safe_to_repeat
    assert not profile.changes_orders


def test_guest_operations() -> None:
    assert operation_for("config.app.AppSymbolDubboService.getSymbolBaseList").guest
    assert operation_for("customer.app.CustomerWebApiService.login").guest
    assert not operation_for("customer.app.CustomerWebApiService.findCustomerInfo").guest


def test_fallback_names() -> None:
    assert fallback_biz_type("tradeapi.app.CfdMMOrderApiService.addMarketOrder") == (
        "tradeapi.app.OrderApiService.addMarketOrder"
    )
    assert fallback_biz_type("tradeapi.app.CfdWBWPositionApiService.queryPositionPage") == (
        "tradeapi.app.PositionApiService.queryPositionPage"
    )
    assert fallback_biz_type("tradeapi.app.OrderApiService.addMarketOrder") is None
    assert fallback_biz_type("config.app.AppSymbolDubboService.getSymbolBaseList") is None


def test_server_time_is_asked_without_a_timestamp() -> None:
    assert not operation_for("thirdExt/now").timestamp
    assert operation_for("getMsgPushToken").timestamp


def test_raw_paths_outside_global() -> None:
    assert operation_for("/marketPosition").path == "/marketPosition"
    raw = operation_for("/api/cats-gateway/global/market.app.MarketMakerService.list")
    assert raw.path == "/global/market.app.MarketMakerService.list"
    assert raw.version is None
