"""The simulator's error vocabulary: the codes it answers with, their texts, and the error it raises.

Texts are the vendor's English server texts where the error-code pages print them. ``%s`` placeholders
stay in ``msg`` and their values travel in ``msgParams``, as on the wire. A Chinese text is
given for ``zh-CN``, the server's default language; any other ``lang`` gets English.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "SUCCESS_MSG",
    "SimError",
    "gateway_error",
    "message_for",
]

# bizCode of each module the simulator speaks for.
GATEWAY: Final = "G"
CUSTOMER: Final = "US"
CFD_FULL: Final = "CFD"  # tradeType 1 (Assumption cfd_full_margin_codes)
CFD_ISOLATED: Final = "CFDWBW"  # tradeType 2

SUCCESS_MSG: Final = {"en": "Success", "zh": "成功"}

_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # code: (English, Chinese)
    "500": ("System error", "系统错误"),
    "GATEWAY_CODE_001": ("TOKEN is null", "TOKEN为空"),
    "GATEWAY_CODE_002": ("Invalid business type", "无效的业务类型"),
    "GATEWAY_CODE_003": ("Company ID cannot be null", "公司ID不能为空"),
    "GATEWAY_CODE_004": ("Link sign cannot be null", "链路标识不能为空"),
    "GATEWAY_CODE_005": ("Login info is expired, please login again", "登录信息已过期，请重新登录"),  # noqa: RUF001 (Chinese punctuation)
    "GATEWAY_CODE_006": ("Request params is null", "请求参数为空"),
    "GATEWAY_CODE_010": ("Downstream port does not exist", "下游端口不存在"),
    "GATEWAY_CODE_011": (
        "Downstream service is abnormal, please contact customer service",
        "下游服务异常，请联系客服",  # noqa: RUF001 (Chinese punctuation)
    ),
    "GATEWAY_CODE_012": ("Downstream service is unavailable", "下游服务不可用"),
    "GATEWAY_CODE_014": ("Request expired", "请求已过期"),
    "GATEWAY_CODE_015": ("The request parameter is invalid", "请求参数无效"),
    "GATEWAY_CODE_017": ("Login info is expired, please login again", "登录信息已过期，请重新登录"),  # noqa: RUF001 (Chinese punctuation)
    "GATEWAY_CODE_018": (
        "The request frequency is too fast, please try again later",
        "请求频率过快，请稍后再试",  # noqa: RUF001 (Chinese punctuation)
    ),
    "GATEWAY_CODE_019": ("No access rights", "无访问权限"),
    "GATEWAY_CODE_902": ("Service time out, please contact customer service", "服务超时，请联系客服"),  # noqa: RUF001 (Chinese punctuation)
    "F999999": ("Illegal request parameters", "非法请求参数"),
    "00012001": ("Signature verification failed", "签名校验失败"),
    "00012002": ("The request is outside the time window", "请求不在时间窗口内"),
    "00012003": ("The apiKey does not exist", "apiKey不存在"),
    "00012004": ("No permission for this operation", "无此操作权限"),
    "00012005": ("Requests too frequent", "请求过于频繁"),
    "00012006": ("The API key has expired", "API密钥已过期"),
    "00012007": ("The IP address is not allowed", "IP地址不允许访问"),
    "CUSTOMER_API_0000003": ("Data not exist", "数据不存在"),
    "CUSTOMER_API_0000102": ("Account number or password wrong", "账号或密码错误"),
    "CUSTOMER_API_0000106": ("Mobile number already exist", "手机号已存在"),
    "CUSTOMER_API_0000107": ("Email exist already", "邮箱已存在"),
    "CUSTOMER_API_0000114": ("Company asset ID not exist", "公司资产ID不存在"),
    "CUSTOMER_API_0000125": ("Password cannot be null", "密码不能为空"),
    "CUSTOMER_API_0000128": ("Token verification failed", "令牌校验失败"),
    "CUSTOMER_API_0000131": (
        "The third-party developer account is not configured or has been disabled",
        "第三方开发者账号未配置或已停用",
    ),
    "CUSTOMER_API_0000145": (
        "The type you submitted is not supported, only %s is supported",
        "不支持您提交的类型，仅支持%s",  # noqa: RUF001 (Chinese punctuation)
    ),
    "CUSTOMER_API_0000148": (
        "The current link is invalid, please contact customer service",
        "当前链接无效，请联系客服",  # noqa: RUF001 (Chinese punctuation)
    ),
    "CUSTOMER_API_0000149": (
        "The current link has been used, please get it again",
        "当前链接已被使用，请重新获取",  # noqa: RUF001 (Chinese punctuation)
    ),
    "CUSTOMER_API_0000301": ("Client group info is not exist", "客户组信息不存在"),
    "CUSTOMER_API_0000314": ("Account opening trade type info is not match", "开户交易类型信息不匹配"),
    "CUSTOMER_API_0000501": ("Mandatory param cannot be null", "必填参数不能为空"),
    "CUSTOMER_API_0000504": ("Mobile number format is not correct", "手机号格式不正确"),
    "CUSTOMER_API_0000510": ("Email format is not correct", "邮箱格式不正确"),
    "CUSTOMER_API_0000511": ("Verification code is not correct", "验证码不正确"),
    "CUSTOMER_API_00011001": ("The requested permission is invalid", "请求的权限无效"),
    "CUSTOMER_API_00011003": ("The API label already exists", "API标签已存在"),
    "P_VERIFY_CODE_ERROR": ("Invalid verification code", "验证码无效"),
    # The code the reference client treats as "cancel failed" (endpoints 5.5); its text is ours.
    "10011012": (
        "The pending order does not exist or is no longer pending",
        "挂单不存在或已不在挂单中",
    ),
    "E000005": ("Parameter cannot be empty", "参数不能为空"),
    "E000006": ("Incorrect format", "格式不正确"),
    "E000007": ("Parameter validation failed", "参数校验失败"),
    "E000008": ("Position does not exist", "持仓不存在"),
    "E000009": ("Stop-loss price is out of the allowed range", "止损价格超出允许范围"),
    "E000010": ("Take-profit price is out of the allowed range", "止盈价格超出允许范围"),
    "E000013": ("Product not configured", "产品未配置"),
    "E000014": ("Only descending or ascending sorting allowed", "只允许降序或升序排序"),
    "E000015": ("Sorting by this field name not supported", "不支持按此字段排序"),
    "E000019": (
        "Closing position amount cannot be less than the minimum amount",
        "平仓数量不能小于最小数量",
    ),
    "E000020": (
        "Closing position amount cannot exceed the maximum amount limit",
        "平仓数量不能超过最大数量限制",
    ),
    "E000021": (
        "Closing position amount must be an integer multiple of the minimum amount",
        "平仓数量必须是最小数量的整数倍",
    ),
    "E000024": ("Specified price cannot be empty", "指定价格不能为空"),
    "E000026": (
        "Quantity must be within the range of %s to %s lots, and must be an integer multiple of %s lots",
        "数量必须在%s到%s手之间，且必须是%s手的整数倍",  # noqa: RUF001 (Chinese punctuation)
    ),
    "E000029": ("Exceeds maximum leverage", "超过最大杠杆"),
    # Not in the Open API table; the vendor example says "Account balance is 0".
    "E000031": ("Account balance is insufficient", "账户余额不足"),
}


def message_for(code: str, lang: str) -> str:
    """Return the server text of ``code`` in ``lang`` (Chinese for ``zh*``, English otherwise).

    Args:
        code: the envelope ``code`` (without the bizCode prefix).
        lang: the request's ``lang`` header value.

    Returns:
        The text, or a generic one for a code the catalogue does not hold.
    """
    english, chinese = _MESSAGES.get(code, ("Request failed", "请求失败"))
    return chinese if lang.lower().startswith("zh") else english


class SimError(Exception):
    """An envelope error the simulator answers with (HTTP 200, ``code != "0"``).

    Raised anywhere in the request pipeline; the app turns it into the standard envelope.

    Args:
        code: the envelope ``code``.
        biz_code: the envelope ``bizCode`` (the module that refused the request).
        msg_params: values for the ``%s`` placeholders of the message, comma-joined on the wire.
        msg: an explicit message instead of the catalogue text.
    """

    def __init__(
        self,
        code: str,
        biz_code: str,
        *,
        msg_params: tuple[str, ...] | None = None,
        msg: str | None = None,
    ) -> None:
        super().__init__(f"{biz_code}{code}")
        self.code = code
        self.biz_code = biz_code
        self.msg_params = msg_params
        self.msg = msg


def gateway_error(number: str) -> SimError:
    """Return the gateway error ``GATEWAY_CODE_<number>`` (bizCode ``G``)."""
    return SimError(f"GATEWAY_CODE_{number}", GATEWAY)
