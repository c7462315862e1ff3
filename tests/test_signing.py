"""Tests for protocol.crypto (schemes A, B and C, keys): every vector of signing.md section 6, plus property
tests; and the deprecated protocol.signing / protocol.encryption shims."""

from __future__ import annotations

import base64
import hashlib
import json
import string
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from hypothesis import given, settings
from hypothesis import strategies as st

from multimarkets_async import errors
from multimarkets_async.protocol import crypto
from multimarkets_async.protocol.crypto import encrypted_body
from multimarkets_async.testing import _keys

K1, K2, K3, K4, K5 = _keys.ALL_TEST_KEYS

# signing.md 6.2: (id, body as sent, header timestamp, string to sign S, key, signature)
A_VECTORS = [
    pytest.param(
        '{"quantity":1,"symbol":"abc"}',
        1589966902000,
        "{quantity:1,symbol:abc}1589966902000",
        _keys.SIGN_DEMO,
        (
            "oXe1qyV/sbayecjhePbj8AKbZqK/fJGWHlFN6duDN2s4861YMQTOZnO51NHFcMd2cCwWvyf4bHZ8dCfK6xYSqGkUWExE"
            "kpyfS/Lr9mTUcYMgYxvGsLy2CfspKVUBhXb6GS0xBiOqDeiDiJbty7IBQWVkh5rqwqPDf/06m9YSjNw="
        ),
        id="A-1",
    ),
    pytest.param(
        '{"companyId":1,"lang":"zh-CN","customerNo":"86001308"}',
        1650361143685,
        "{companyId:1,customerNo:86001308,lang:zh-CN}1650361143685",
        _keys.SIGN_DEMO,
        (
            "vEsU8tOQZ2g1AuoYSgYuMzJWEgV97sBNsQ1Qwso3j841ln6WnqoQ3i7Lcjl9sA5r5OoHzwTYUTlOUcHRpGfEdKoYRiWN"
            "oMeN0t2hRxV9wslh4trGCkE5Dvxuh5iU0zUzDDxVooAFWNXrTafMugPA+rLpW3f/F7rwpNMesgk3ftA="
        ),
        id="A-2",
    ),
    pytest.param(
        "{}",
        1650361143685,
        "{}1650361143685",
        _keys.SIGN_DEMO,
        (
            "cV8rWwhavBIPogVAFHJErGFK4n8UkMVd2auj7lAI8f2C1B0oY8UtI0JaQnmIcJvRhnAStVPoqU1xr3O7uQx7uKEaWld/"
            "nKYTq2xSHNKBsnWRK6WuX0y5OrA40dFxAOPOEWlbdXukUaurCl/3hUisKOTp4ynZyGW2Rw/CsvBS7Ss="
        ),
        id="A-3",
    ),
    pytest.param(
        (
            '{"accountCurrency":"CNY","accountDigits":2,"accountId":1034124,"bizType":1,'
            '"crossLevelNum":1,"direction":1,"entryType":1,"expireType":1,"requestNum":"0.100000",'
            '"requestPrice":"167655","requestTime":1698299972000,"symbolId":8390,"tradeType":2}'
        ),
        1698299972123,
        (
            "{accountCurrency:CNY,accountDigits:2,accountId:1034124,bizType:1,crossLevelNum:1,"
            "direction:1,entryType:1,expireType:1,requestNum:0.100000,requestPrice:167655,"
            "requestTime:1698299972000,symbolId:8390,tradeType:2}1698299972123"
        ),
        _keys.SIGN_DEMO,
        (
            "E/CtD9iQpJ7hS9vNevsateyfNhYzoSFKvoCvZAyrnL4Zllwkg55FyJhTggGUyUiuJ09m3wCfy/kv9foDBKamjYiL9S+k"
            "VPaQn53sZVXOU1PX293JZRYmyqitCrQrqvZ8ufzK2MILeg22ElN5ET5eL3lei82NYaj29xr3IJmNJEM="
        ),
        id="A-4",
    ),
    pytest.param(
        '{"tradeType":2,"remark":null,"symbolId":8390}',
        1698299972123,
        "{symbolId:8390,tradeType:2}1698299972123",
        _keys.SIGN_DEMO,
        (
            "qF7jNRqsfoWS1pDcC5N9aVcTIQgF7BXbm92UB5mnTJH3M1qrcQPxsq+zvzqnWZDllCr4+dXzYOM6ZyqiH/KF+TbfG1je"
            "gw8dHGO8JQPIQm41llrJzBEqvJah2+PLmilCGKh8gloYjkSMDf4hk22kFYthOKb7J30OYr70h4u3HPw="
        ),
        id="A-5",
    ),
    pytest.param(
        (
            '{"customerGroupId":1,"tradeTypeCurrencyList":[{"tradeType":"1","allCurrency":"USDT"}],'
            '"isAuto":true}'
        ),
        1698299972123,
        (
            "{customerGroupId:1,isAuto:true,tradeTypeCurrencyList:[{allCurrency:USDT,"
            "tradeType:1}]}1698299972123"
        ),
        _keys.SIGN_DEMO,
        (
            "lZj2uEOWN2PkrqQ1gOT5DkEIx80wJFTdpZ5MazysHrVhzh27qTUdwzWLeB58O+8wfdJdIg7DLdzTSTMrdOc7ebd9yEic"
            "DfUyTUcjyJBqGEJMxredVGXTK6oLrxnOaeLI/C6JEmvgGQN/Dc/gBT9lmwTZTyvVZpS5XPN+ZoxG/VY="
        ),
        id="A-6",
    ),
    pytest.param(
        '{"quantity":1,"symbol":"abc"}',
        1589966902000,
        "{quantity:1,symbol:abc}1589966902000",
        _keys.APPLY_API_EXAMPLE,
        (
            "Uw48KJ8CYkMQSBUssycLM2cW6vYQClxz0hu3R2UoPXdTKCsBLdSxDB2diWUR0J5NvTORpxXdlqTP2WY6ZRWycyXruGHu"
            "4eoXStjx5pJ9PMPbmqw7uyTjR1Jd23iVIFIOJc7pRmb4blgq0dsQRm/CYSXjKh8aLDoDTYa4kNBj798="
        ),
        id="A-7",
    ),
    pytest.param(
        '{"companyId":1,"lang":"zh-CN","customerNo":"86001308"}',
        1650361143685,
        "{companyId:1,customerNo:86001308,lang:zh-CN}1650361143685",
        _keys.APPLY_API_EXAMPLE,
        (
            "EXxVxVb7ujz4vNeeVALuvsDxIEf4KlGbKMM7G5cy2WfBM7I5HZQcy8U3bLT9GZPD2WcpotypLir7TwSR9l+DNRUPAiYZ"
            "3Dwqlv+dD4KAjcocmBxNYr/+fIKQCyXB4Hg4CBcuGmHDZAA17TWxpqEcWEeed83HOZmllWQZGjPmz3g="
        ),
        id="A-8",
    ),
    pytest.param(
        "{}",
        1650361143685,
        "{}1650361143685",
        _keys.APPLY_API_EXAMPLE,
        (
            "p9BxSFGmSnKXm0gOvoQCEoeDizgmFUSl5HWNXw0IGmzQeT/m+p4iMmCwrbX7XVc+KDyosdJvG+StFlIHELWTdktvAEBF"
            "VlL0BAZ5nW6me8BP57jkITzayoNtO5QhhzTqq4mUPHu0lua7J39ElR9IowJDO+VbxYx2AMZsYMrIQQw="
        ),
        id="A-9",
    ),
    pytest.param(
        '{"quantity":1,"symbol":"abc"}',
        1589966902000,
        "{quantity:1,symbol:abc}1589966902000",
        _keys.POSTMAN_ROBOT,
        (
            "IJ6E/kwDyy1GdEkaeBTdbnplQNWwIBz3i8qYGWsd7RhvhTS9UnCPro/di1rgaOzfqf9T7lKuY4wgjV2Oi4mTczseLuJ2"
            "OHkyEyxrX8zT0qzSWe201zmRMCSjL81UZLpCOKhDRR/vJ2vMdqohOwJCUGu36u+PvHIK1PMb8JRJ7ic="
        ),
        id="A-10",
    ),
    pytest.param(
        '{"companyId":1,"lang":"zh-CN","customerNo":"86001308"}',
        1650361143685,
        "{companyId:1,customerNo:86001308,lang:zh-CN}1650361143685",
        _keys.POSTMAN_ROBOT,
        (
            "E1WX8yjLmud/am6NWTltF4Ld6WRgPO4UD0r1a53Ll1EJIO5jELDAUmrrObLkuW24kQ7GDAGgcJT3W7Mty91N4Rq+kGvj"
            "D431Ob0MTUHN7i3cZcZfV83x/Iix3OGHVnIwLEbLIFhVSZT2xAGm4+EHklxj2aBjSL/N6kWu8GmeZ+Y="
        ),
        id="A-11",
    ),
    pytest.param(
        "{}",
        1650361143685,
        "{}1650361143685",
        _keys.POSTMAN_ROBOT,
        (
            "eReOg/zmhHTLM4hbtYiw+uyUTQA68Pgw6CN1tW+OolhDhI4rNIATE48sAcMoi2bu7kurhM2yqvDvdcJYm3dZdvJ7wrNe"
            "dJS2e3IE5FYtgdgil9mdZCPZoIie9bfQ0AVg2/rkZbMHudB1MahoOh/e4ZEkOk0bj7ReWSsi0YP3+mQ="
        ),
        id="A-12",
    ),
]

A0_BODY = '{"companyId":1,"lang":"zh-CN","customerNo":"86001308"}'
A0_STRING = "{companyId:1,customerNo:86001308,lang:zh-CN}1650361143685"

# signing.md 6.3/6.4: (id, body, timestamp, string A, string C, signature D, JSON)
B_VECTORS = [
    pytest.param(
        '{"a":1,"b":2,"c":"3"}',
        11111131331,
        "a=1&b=2&c=3&timestamp=11111131331",
        "timestamp=11111131331&a=1&b=2&c=3&timestamp=11111131331",
        "43FFFF236AC1FE30AF4ED37A1CFF7C9D",
        '{"signature":"43FFFF236AC1FE30AF4ED37A1CFF7C9D","a":1,"b":2,"c":"3","timestamp":11111131331}',
        id="B-1",
    ),
    pytest.param(
        '{"parentCode":"USDT"}',
        1722093946335,
        "parentCode=USDT&timestamp=1722093946335",
        "timestamp=1722093946335&parentCode=USDT&timestamp=1722093946335",
        "5EF9837436D52991C79B7C0C4B007DAE",
        '{"signature":"5EF9837436D52991C79B7C0C4B007DAE","parentCode":"USDT","timestamp":1722093946335}',
        id="B-2",
    ),
    pytest.param(
        (
            '{"tradeType":2,"symbolId":8390,"bizType":1,"direction":1,"requestPrice":"167655",'
            '"requestNum":"0.100000","requestTime":1698299972000,"accountId":1034124,'
            '"accountCurrency":"CNY","accountDigits":2,"crossLevelNum":1,"entryType":1,"expireType":1,'
            '"remark":"","blacklist":false}'
        ),
        1698299972123,
        (
            "accountCurrency=CNY&accountDigits=2&accountId=1034124&bizType=1&crossLevelNum=1&direction=1&"
            "entryType=1&expireType=1&requestNum=0.100000&requestPrice=167655&requestTime=1698299972000&"
            "symbolId=8390&timestamp=1698299972123&tradeType=2"
        ),
        (
            "timestamp=1698299972123&accountCurrency=CNY&accountDigits=2&accountId=1034124&bizType=1&"
            "crossLevelNum=1&direction=1&entryType=1&expireType=1&requestNum=0.100000&"
            "requestPrice=167655&requestTime=1698299972000&symbolId=8390&timestamp=1698299972123&"
            "tradeType=2"
        ),
        "8C413E322D786CDC381EC1B496508FA7",
        (
            '{"signature":"8C413E322D786CDC381EC1B496508FA7","tradeType":2,"symbolId":8390,"bizType":1,'
            '"direction":1,"requestPrice":"167655","requestNum":"0.100000","requestTime":1698299972000,'
            '"accountId":1034124,"accountCurrency":"CNY","accountDigits":2,"crossLevelNum":1,'
            '"entryType":1,"expireType":1,"remark":"","blacklist":false,"timestamp":1698299972123}'
        ),
        id="B-3",
    ),
]

# signing.md 6.4: (id, body, timestamp, E, 100-character pieces)
E_VECTORS = [
    pytest.param(
        '{"a":1,"b":2,"c":"3"}',
        11111131331,
        (
            "%7B%22signature%22%3A%2243FFFF236AC1FE30AF4ED37A1CFF7C9D%22%2C%22a%22%3A1%2C%22b%22%3A2%2C%2"
            "2c%22%3A%223%22%2C%22timestamp%22%3A11111131331%7D"
        ),
        [
            (
                "%7B%22signature%22%3A%2243FFFF236AC1FE30AF4ED37A1CFF7C9D%22%2C%22a%22%3A1%2C%22b%22%3A2%"
                "2C%22c%22%3A"
            ),
            "%223%22%2C%22timestamp%22%3A11111131331%7D",
        ],
        id="B-1",
    ),
    pytest.param(
        '{"parentCode":"USDT"}',
        1722093946335,
        (
            "%7B%22signature%22%3A%225EF9837436D52991C79B7C0C4B007DAE%22%2C%22parentCode%22%3A%22USDT%22%"
            "2C%22timestamp%22%3A1722093946335%7D"
        ),
        [
            (
                "%7B%22signature%22%3A%225EF9837436D52991C79B7C0C4B007DAE%22%2C%22parentCode%22%3A%22USDT"
                "%22%2C%22tim"
            ),
            "estamp%22%3A1722093946335%7D",
        ],
        id="B-2",
    ),
]

# signing.md 6.6 (scheme C): the SMS example, signed for K5's public key.
MESSAGE_SIGN = (
    "Zni/VixZVrxAt2GzIgRetSFub4Kk1C7JQsURlbXDJmHllv4Vr1SfJC66dnk0OPdylf4qlT9UQle+pAcbNKEBjMHkgeucaAG82syPN"
    "i18StNTWx+DNPvl1VvUGGJQQw6I7QClaEIefccyXUDqW78+gEIq8i5VNm/eop0bBoPu8Ao="
)
MESSAGE_BODY: dict[str, object] = {
    "pushType": "whatapp",
    "pushId": "whatapp user id",
    "toUser": "18321956010",
    "trace": "aaaaaaaaaabbbbbbbbbb11111",
    "sign": MESSAGE_SIGN,
    "content": "【XXXX】Your verification code is 847999。",
    "timestamp": 1651118320014,
}
MESSAGE_PLAINTEXT = "18321956010@1651118320014@aaaaaaaaaabbbbbbbbbb11111"


def _private_der(b64: str) -> bytes:
    return base64.b64decode(b64)


def _rsa_decrypt(key: _keys.TestKeyPair, b64: str) -> bytes:
    private = serialization.load_der_private_key(_private_der(key.private_key), password=None)
    return private.decrypt(base64.b64decode(b64), padding.PKCS1v15())  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------- test keys


@pytest.mark.parametrize("pair", _keys.ALL_TEST_KEYS, ids=lambda pair: pair.name)
def test_test_key_pairs_match(pair: _keys.TestKeyPair) -> None:
    private = crypto.load_private_key(pair.private_key)
    public = crypto.load_public_key(pair.public_key)
    assert private.key_size == 1024
    assert private.public_key().public_numbers() == public.public_numbers()
    assert pair.private_key.startswith("MIIC")
    assert pair.public_key.startswith("MIGfMA0GCSqGSIb3DQEBAQUAA4GN")
    assert "".join(pair.private_key.split()) == pair.private_key


def test_test_key_metadata() -> None:
    assert [pair.name for pair in _keys.ALL_TEST_KEYS] == [
        "sign_demo",
        "apply_api_example",
        "postman_robot",
        "trade_h5_company",
        "message_api_example",
    ]
    assert _keys.APPLY_API_EXAMPLE.api_key == "47b471e57c394e8fbc18535805e04016"
    assert _keys.POSTMAN_ROBOT.api_key == "c06842d22f2646fca198466370935576"
    assert _keys.SIGN_DEMO.api_key is None
    assert _keys.SIGN_DEMO.private_key not in repr(_keys.SIGN_DEMO)


# ------------------------------------------------------------------------------------ scheme A vectors


def test_a0_canonical_string() -> None:
    assert crypto.open_api_string_to_sign(json.loads(A0_BODY), 1650361143685) == A0_STRING
    assert crypto.canonical_body(json.loads(A0_BODY)) == "{companyId:1,customerNo:86001308,lang:zh-CN}"


@pytest.mark.parametrize(("body", "timestamp", "string_to_sign", "pair", "signature"), A_VECTORS)
def test_open_api_vector(
    body: str, timestamp: int, string_to_sign: str, pair: _keys.TestKeyPair, signature: str
) -> None:
    parsed = json.loads(body)
    assert crypto.open_api_string_to_sign(parsed, timestamp) == string_to_sign
    assert crypto.OpenApiSigner(pair.private_key).sign(parsed, timestamp) == signature
    assert len(signature) == 172
    assert crypto.verify_open_api_signature(pair.public_key, parsed, timestamp, signature)


def test_canonical_rules() -> None:
    body = {
        "b": None,
        "a": {"z": 1, "Z": None, "y": [None, {"k": None, "j": True}]},
        "A": False,
        "price": Decimal("0.100000"),
        "name": 'say "hi"',
        "city": "Zürich",
        "f": 2.5,
        "tuple": (1, "x"),
    }
    assert crypto.canonical_body(body) == (
        "{A:false,a:{y:[null,{j:true}],z:1},city:Zürich,f:2.5,name:say \\hi\\,price:0.100000,tuple:[1,x]}"
    )
    assert (
        crypto.canonical_body(MappingProxyType({"x": MappingProxyType({"b": None, "a": 1})})) == "{x:{a:1}}"
    )


def test_canonical_rejects_non_json() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        crypto.canonical_body({"x": float("nan")})
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        crypto.canonical_body({"x": {1, 2}})


def test_signer_is_reusable_and_slotted() -> None:
    signer = crypto.OpenApiSigner(K1.private_key)
    assert signer.sign({}, 1650361143685) == signer.sign({}, 1650361143685)
    assert not hasattr(signer, "__dict__")
    with pytest.raises(AttributeError):
        signer.extra = 1  # type: ignore[attr-defined]


def test_verify_open_api_signature_detects_tampering() -> None:
    body = {"symbolId": 8390, "tradeType": 2, "remark": "x"}
    signature = crypto.OpenApiSigner(K1.private_key).sign(body, 1698299972123)
    public = crypto.load_public_key(K1.public_key)
    assert crypto.verify_open_api_signature(public, body, 1698299972123, signature)
    assert not crypto.verify_open_api_signature(public, {**body, "remark": "y"}, 1698299972123, signature)
    assert not crypto.verify_open_api_signature(public, {**body, "extra": 1}, 1698299972123, signature)
    assert not crypto.verify_open_api_signature(public, body, 1698299972124, signature)
    assert not crypto.verify_open_api_signature(K2.public_key, body, 1698299972123, signature)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert not crypto.verify_open_api_signature(public, body, 1698299972123, flipped)
    for garbage in ("", "not base64!", "é", signature[:-4], None, 12):
        assert not crypto.verify_open_api_signature(public, body, 1698299972123, garbage)  # type: ignore[arg-type]
    assert not crypto.verify_open_api_signature(public, {"x": float("nan")}, 1, signature)


# ----------------------------------------------------------------------------------------------- keys


def test_load_private_key_formats() -> None:
    private = crypto.load_private_key(K1.private_key)
    expected = private.private_numbers()
    pkcs8_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pkcs1_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    wrapped = "\n ".join(K1.private_key[i : i + 76] for i in range(0, len(K1.private_key), 76))
    candidates: list[Any] = [
        pkcs8_pem,
        pkcs8_pem.decode(),
        pkcs1_pem,
        "\n" + pkcs1_pem.decode() + "\n",
        wrapped,
        " " + K1.private_key + "\r\n",
        K1.private_key.encode(),
        _private_der(K1.private_key),
        private,
    ]
    for candidate in candidates:
        assert crypto.load_private_key(candidate).private_numbers() == expected
    assert crypto.load_private_key(private) is private


def test_load_public_key_formats() -> None:
    public = crypto.load_public_key(K4.public_key)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    wrapped = " ".join(K4.public_key[i : i + 64] for i in range(0, len(K4.public_key), 64))
    for candidate in (pem, pem.decode(), wrapped, K4.public_key.encode(), base64.b64decode(K4.public_key)):
        assert crypto.load_public_key(candidate).public_numbers() == public.public_numbers()
    assert crypto.load_public_key(public) is public


def _ec_pem(private: bool) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    if private:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize(
    "bad",
    [
        K1.private_key[:400],
        K1.private_key[:-8] + "AAAAAAA=",
        K1.private_key + "!",
        K1.public_key,
        "-----BEGIN PRIVATE KEY-----\n" + K1.private_key[:300] + "\n-----END PRIVATE KEY-----",
        "",
        "é" + K1.private_key,
        None,
    ],
    ids=["truncated", "corrupted", "bad-base64", "public-key", "bad-pem", "empty", "non-ascii", "none"],
)
def test_bad_private_key_is_a_configuration_error_without_key_text(bad: Any) -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        crypto.load_private_key(bad)
    _assert_no_key_text(caught.value, K1.private_key)
    assert caught.value.__cause__ is None
    with pytest.raises(errors.ConfigurationError):
        crypto.OpenApiSigner(bad)


def _assert_no_key_text(exc: BaseException, key: str) -> None:
    shown = str(exc) + repr(exc) + repr(exc.args)
    for start in range(0, len(key) - 12, 4):
        assert key[start : start + 12] not in shown


def test_non_rsa_keys_are_rejected() -> None:
    with pytest.raises(errors.ConfigurationError, match="not an RSA private key"):
        crypto.load_private_key(_ec_pem(private=True))
    with pytest.raises(errors.ConfigurationError, match="not an RSA public key"):
        crypto.load_public_key(_ec_pem(private=False))


def test_bad_public_key_is_a_configuration_error() -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        crypto.load_public_key(K4.public_key[:100])
    _assert_no_key_text(caught.value, K4.public_key)
    with pytest.raises(errors.ConfigurationError):
        crypto.BodyEncryptor(K4.private_key)
    with pytest.raises(errors.ConfigurationError):
        crypto.verify_open_api_signature("nope", {}, 1, "x")


def test_reprs_hold_no_key_material() -> None:
    signer = crypto.OpenApiSigner(K1.private_key)
    encryptor = crypto.BodyEncryptor(K4.public_key)
    assert repr(signer) == "OpenApiSigner(algorithm='SHA1withRSA', key_size=1024)"
    assert repr(encryptor) == "BodyEncryptor(key_size=1024, chunk_size=100)"
    for shown in (repr(signer), str(signer), repr(encryptor), str(encryptor)):
        assert "MII" not in shown
        assert "BEGIN" not in shown


# ------------------------------------------------------------------------------------ scheme B vectors


@pytest.mark.parametrize(("body", "timestamp", "string_a", "string_c", "signature", "payload"), B_VECTORS)
def test_md5_vector(
    body: str, timestamp: int, string_a: str, string_c: str, signature: str, payload: str
) -> None:
    parsed = json.loads(body)
    data = {**parsed, "timestamp": timestamp}
    assert string_c == f"timestamp={timestamp}&{string_a}"
    assert encrypted_body._md5_string_to_sign(data, str(timestamp)) == string_c
    assert hashlib.md5(string_c.encode()).hexdigest().upper() == signature
    assert crypto.md5_signature(parsed, timestamp) == signature
    assert crypto.encrypted_payload_json(parsed, timestamp) == payload
    assert crypto.verify_md5_signature(json.loads(payload))


@pytest.mark.parametrize(("body", "timestamp", "encoded", "pieces"), E_VECTORS)
def test_encoded_payload_and_pieces(body: str, timestamp: int, encoded: str, pieces: list[str]) -> None:
    parsed = json.loads(body)
    assert crypto.encode_uri_component(crypto.encrypted_payload_json(parsed, timestamp)) == encoded
    assert "".join(pieces) == encoded
    assert [len(piece) for piece in pieces[:-1]] == [100] * (len(pieces) - 1)
    sent = crypto.BodyEncryptor(K4.public_key).encrypt(parsed, timestamp)
    assert list(sent) == ["data"]
    blocks = sent["data"].split(",")
    assert all(len(block) == 172 for block in blocks)
    assert [_rsa_decrypt(K4, block).decode("ascii") for block in blocks] == pieces
    assert crypto.decrypt_body(sent["data"], K4.private_key) == json.loads(
        crypto.encrypted_payload_json(parsed, timestamp)
    )


def test_b3_pieces_split_inside_an_escape() -> None:
    body, timestamp, *_, payload = B_VECTORS[2].values
    assert isinstance(body, str)
    assert isinstance(timestamp, int)
    assert isinstance(payload, str)
    encoded = crypto.encode_uri_component(payload)
    assert len(encoded) == 503
    sent = crypto.BodyEncryptor(K4.public_key).encrypt(json.loads(body), timestamp)
    pieces = [_rsa_decrypt(K4, block).decode("ascii") for block in sent["data"].split(",")]
    assert [len(piece) for piece in pieces] == [100, 100, 100, 100, 100, 3]
    assert pieces[0].endswith("%22symbolId%22%3")
    assert pieces[1].startswith("A8390")
    assert "".join(pieces) == encoded
    decrypted = crypto.decrypt_body(sent["data"], crypto.load_private_key(K4.private_key))
    assert list(decrypted) == list(json.loads(payload))
    assert decrypted["signature"] == "8C413E322D786CDC381EC1B496508FA7"
    assert crypto.verify_md5_signature(decrypted)


def test_md5_signed_values() -> None:
    body = {
        "s": "x",
        "empty": "",
        "t": True,
        "f": False,
        "n": None,
        "l": [1],
        "d": {"a": 1},
        "i": -3,
        "x": 2.0,
        "y": 0.5,
        "dec": Decimal("2.50"),
        "signature": "ignored",
        "Z": 1,
    }
    data = {**body, "timestamp": 7}
    expected = "timestamp=7&Z=1&dec=2.50&i=-3&s=x&timestamp=7&x=2&y=0.5"
    assert encrypted_body._md5_string_to_sign(data, "7") == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),
        (2.0, "2"),
        (-2.5, "-2.5"),
        (0.1, "0.1"),
        (123456789.123, "123456789.123"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.000001, "0.000001"),
        (1.5e-6, "0.0000015"),
        (1e-7, "1e-7"),
        (1.25e-7, "1.25e-7"),
        (5e-324, "5e-324"),
        (12345678901234567890, "12345678901234567890"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_js_number_text(number: float, text: str) -> None:
    assert encrypted_body._js_number_text(number) == text


def test_payload_replaces_body_timestamp_and_signature() -> None:
    body = {"timestamp": 1, "signature": "mine", "a": "b"}
    text = crypto.encrypted_payload_json(body, 5)
    expected_signature = crypto.md5_signature({"a": "b"}, 5)
    assert text == f'{{"signature":"{expected_signature}","a":"b","timestamp":5}}'
    assert crypto.md5_signature(body, 5) == expected_signature


def test_payload_json_keeps_non_ascii_and_writes_decimals_as_strings() -> None:
    text = crypto.encrypted_payload_json({"name": "Zürich", "num": Decimal("0.10")}, 1)
    assert text.endswith('"name":"Zürich","num":"0.10","timestamp":1}')


def test_verify_md5_signature_rejects_tampering() -> None:
    payload = json.loads(crypto.encrypted_payload_json({"parentCode": "USDT"}, 1722093946335))
    assert crypto.verify_md5_signature(payload)
    assert not crypto.verify_md5_signature({**payload, "parentCode": "USDC"})
    assert not crypto.verify_md5_signature({**payload, "timestamp": 1722093946336})
    assert not crypto.verify_md5_signature({**payload, "signature": payload["signature"].lower()})
    assert not crypto.verify_md5_signature({k: v for k, v in payload.items() if k != "timestamp"})
    assert not crypto.verify_md5_signature({k: v for k, v in payload.items() if k != "signature"})
    assert not crypto.verify_md5_signature({**payload, "timestamp": True})
    assert not crypto.verify_md5_signature({**payload, "signature": "é"})
    # Booleans, empty strings and objects travel unsigned.
    assert crypto.verify_md5_signature({**payload, "flag": True, "note": "", "list": [1]})


def test_encode_uri_component_matches_javascript() -> None:
    assert crypto.encode_uri_component("AZaz09-_.!~*'()") == "AZaz09-_.!~*'()"
    assert crypto.encode_uri_component('a b+c/é€😀"%,:{}') == (
        "a%20b%2Bc%2F%C3%A9%E2%82%AC%F0%9F%98%80%22%25%2C%3A%7B%7D"
    )


def test_body_encryptor_chunk_size() -> None:
    with pytest.raises(errors.ConfigurationError, match="between 1 and 117"):
        crypto.BodyEncryptor(K4.public_key, chunk_size=118)
    with pytest.raises(errors.ConfigurationError, match="between 1 and 117"):
        crypto.BodyEncryptor(K4.public_key, chunk_size=0)
    body = {"parentCode": "USDT"}
    for size in (7, 117):
        sent = crypto.BodyEncryptor(K4.public_key, chunk_size=size).encrypt(body, 1722093946335)
        assert sent["data"].count(",") == -(-128 // size) - 1
        assert crypto.decrypt_body(sent["data"], K4.private_key)["parentCode"] == "USDT"


def _encrypt_raw(text: str) -> str:
    public = crypto.load_public_key(K4.public_key)
    return base64.b64encode(public.encrypt(text.encode(), padding.PKCS1v15())).decode()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "not base64",
        base64.b64encode(b"short").decode(),
        base64.b64encode(bytes(128)).decode(),
        base64.b64encode(b"\x01" * 128).decode(),
        _encrypt_raw("%5B1%5D"),
        _encrypt_raw("%7Bnot json"),
        _encrypt_raw("%FF%FE"),
        None,
        {"data": "x"},
    ],
    ids=["empty", "bad-b64", "short", "zeros", "ones", "array", "bad-json", "bad-utf8", "none", "dict"],
)
def test_decrypt_body_failures_are_protocol_errors(data: Any) -> None:
    with pytest.raises(errors.ProtocolError):
        crypto.decrypt_body(data, K4.private_key)


def test_decrypt_body_follows_java_url_decoder() -> None:
    assert crypto.decrypt_body(_encrypt_raw("%7B%22a%22:%22x+y%22%7D"), K4.private_key) == {"a": "x y"}
    # Pieces are joined before URL-decoding; an unencoded body decodes too (the Java demo's newer path).
    data = _encrypt_raw('{"a":"%7') + "," + _encrypt_raw('B"}')
    assert crypto.decrypt_body(data, K4.private_key) == {"a": "{"}


# ---------------------------------------------------------------------------------------- M-1 and M-2


def test_m1_password_md5() -> None:
    assert crypto.md5_password("a123456") == "dc483e80a7a0bd9ef71d8cf973673924"


def test_m2_secret_key_md5() -> None:
    assert crypto.secret_key_md5(K2.private_key) == "95cfcea9ef853cd519d65858ddc01dfe"
    wrapped = "\n".join(K2.private_key[i : i + 64] for i in range(0, len(K2.private_key), 64))
    assert crypto.secret_key_md5(wrapped) == "95cfcea9ef853cd519d65858ddc01dfe"


# -------------------------------------------------------------------------------- scheme C (Message API)


def test_message_api_vector_decrypts_to_the_documented_plaintext() -> None:
    assert _rsa_decrypt(K5, MESSAGE_SIGN).decode() == MESSAGE_PLAINTEXT


def test_message_api_vector_verifies() -> None:
    assert crypto.verify_message_api_sign(K5.private_key, MESSAGE_BODY)
    assert crypto.verify_message_api_sign(K5.private_key, MESSAGE_BODY, now_ms=1651118320014 + 299_000)
    assert crypto.verify_message_api_sign(K5.private_key, {**MESSAGE_BODY, "timestamp": "1651118320014"})


def test_message_api_email_vector_fails() -> None:
    email_body = {**MESSAGE_BODY, "pushType": "email", "toUser": "18321956010@163.com"}
    assert not crypto.verify_message_api_sign(K5.private_key, email_body)


def test_message_api_skew() -> None:
    key = crypto.load_private_key(K5.private_key)
    late = 1651118320014 + 300_001
    assert not crypto.verify_message_api_sign(key, MESSAGE_BODY, now_ms=late)
    assert not crypto.verify_message_api_sign(key, MESSAGE_BODY, now_ms=1651118320014 - 300_001)
    assert crypto.verify_message_api_sign(key, MESSAGE_BODY, now_ms=late, max_skew_ms=0)
    assert crypto.verify_message_api_sign(key, MESSAGE_BODY, now_ms=late, max_skew_ms=400_000)


@pytest.mark.parametrize(
    "change",
    [
        {"sign": "not base64"},
        {"sign": ""},
        {"sign": None},
        {"sign": base64.b64encode(bytes(128)).decode()},
        {"toUser": 18321956010},
        {"trace": None},
        {"trace": "aaaaaaaaaabbbbbbbbbb11112"},
        {"timestamp": True},
        {"timestamp": 1651118320015},
        {"timestamp": "01651118320014"},
        {"timestamp": "1.6e12"},
        {"timestamp": 1651118320014.0},
    ],
)
def test_message_api_garbage_never_raises(change: dict[str, object]) -> None:
    assert not crypto.verify_message_api_sign(K5.private_key, {**MESSAGE_BODY, **change})


def test_message_api_sign_round_trip() -> None:
    sign = crypto.message_api_sign(K5.public_key, "user@example.com", 1651118320014, "trace-1")
    assert len(sign) == 172
    assert _rsa_decrypt(K5, sign) == b"user@example.com@1651118320014@trace-1"
    body = {"toUser": "user@example.com", "timestamp": 1651118320014, "trace": "trace-1", "sign": sign}
    assert crypto.verify_message_api_sign(K5.private_key, body)
    assert not crypto.verify_message_api_sign(K1.private_key, body)
    assert len(crypto.message_api_sign(K5.public_key, "u" * 101, 1651118320014, "t")) == 172  # 117 bytes
    with pytest.raises(ValueError, match="118 bytes; the key encrypts at most 117"):
        crypto.message_api_sign(K5.public_key, "u" * 102, 1651118320014, "t")


# ------------------------------------------------------------------------------------ property tests

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_JSON: st.SearchStrategy[object] = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_BODIES = st.dictionaries(st.text(max_size=8), _JSON, max_size=6)


def _reference_drop_nulls(value: object) -> object:
    # signing.md 2.3, verbatim.
    if isinstance(value, dict):
        return {k: _reference_drop_nulls(x) for k, x in value.items() if x is not None}
    if isinstance(value, list):
        return [_reference_drop_nulls(x) for x in value]
    return value


def _reference_canonical(body: Mapping[str, object]) -> str:
    text = json.dumps(_reference_drop_nulls(body), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace('"', "")


def _transform_dicts(value: object, change: Callable[[dict[str, object]], dict[str, object]]) -> object:
    if isinstance(value, dict):
        return change({k: _transform_dicts(x, change) for k, x in value.items()})
    if isinstance(value, list):
        return [_transform_dicts(x, change) for x in value]
    return value


@given(_BODIES)
def test_canonical_matches_the_reference_and_has_no_quotes(body: dict[str, object]) -> None:
    text = crypto.canonical_body(body)
    assert '"' not in text
    assert text == _reference_canonical(body)


@given(_BODIES)
def test_canonical_ignores_key_order(body: dict[str, object]) -> None:
    reversed_body = _transform_dicts(body, lambda d: dict(reversed(list(d.items()))))
    assert isinstance(reversed_body, dict)
    assert crypto.canonical_body(reversed_body) == crypto.canonical_body(body)


@given(_BODIES, st.text(min_size=1, max_size=4))
def test_canonical_ignores_nulls_at_any_depth(body: dict[str, object], suffix: str) -> None:
    with_nulls = _transform_dicts(body, lambda d: {**d, "\x00null" + suffix: None, **d})
    assert isinstance(with_nulls, dict)
    assert crypto.canonical_body(with_nulls) == crypto.canonical_body(body)


_SIGNER = crypto.OpenApiSigner(K1.private_key)
_K1_PUBLIC = crypto.load_public_key(K1.public_key)


@settings(max_examples=50, deadline=None)
@given(_BODIES, st.integers(min_value=0, max_value=10**13))
def test_open_api_sign_verify_round_trip(body: dict[str, object], timestamp: int) -> None:
    signature = _SIGNER.sign(body, timestamp)
    assert crypto.verify_open_api_signature(_K1_PUBLIC, body, timestamp, signature)
    assert not crypto.verify_open_api_signature(_K1_PUBLIC, body, timestamp + 1, signature)


_URI_ALLOWED = set(string.ascii_letters + string.digits + "-_.!~*'()%")


@given(st.text())
def test_encode_uri_component_round_trips(text: str) -> None:
    encoded = crypto.encode_uri_component(text)
    assert set(encoded) <= _URI_ALLOWED
    assert urllib.parse.unquote(encoded, errors="strict") == text
    assert urllib.parse.unquote_plus(encoded, errors="strict") == text  # never emits "+"


_K4_ENCRYPTOR = crypto.BodyEncryptor(K4.public_key)
_K4_PRIVATE = crypto.load_private_key(K4.private_key)


@settings(max_examples=20, deadline=None)
@given(
    st.dictionaries(st.text(max_size=10), st.text(max_size=60) | st.integers(), max_size=5),
    st.integers(min_value=0, max_value=10**13),
)
def test_encrypt_decrypt_round_trip(body: dict[str, object], timestamp: int) -> None:
    payload = crypto.decrypt_body(_K4_ENCRYPTOR.encrypt(body, timestamp)["data"], _K4_PRIVATE)
    kept = {k: v for k, v in body.items() if k not in ("signature", "timestamp")}
    expected = {"signature": crypto.md5_signature(body, timestamp), **kept, "timestamp": timestamp}
    assert list(payload.items()) == list(expected.items())  # the order too
    assert crypto.verify_md5_signature(payload)


# -- The one-release shims of the old modules ------------------------------------------------------------


@pytest.mark.parametrize("old", ["signing", "encryption"])
def test_old_modules_forward_every_name_with_a_deprecation_warning(old: str) -> None:
    import importlib

    module = importlib.import_module(f"multimarkets_async.protocol.{old}")
    assert set(module.__all__) <= set(crypto.__all__)
    for name in module.__all__:
        with pytest.warns(
            DeprecationWarning, match=rf"protocol\.{old}\.{name} is deprecated.*protocol\.crypto"
        ):
            assert getattr(module, name) is getattr(crypto, name)
    with pytest.raises(AttributeError):
        module.nothing_here  # noqa: B018


def test_the_schemes_do_not_import_each_other() -> None:
    import ast
    from pathlib import Path

    package = Path(crypto.__file__).parent
    for scheme in ("open_api", "encrypted_body", "message_sign"):
        tree = ast.parse((package / f"{scheme}.py").read_text(encoding="utf-8"))
        siblings = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1
        }
        assert siblings <= {"keys"}, scheme
