"""What the relay sets up on JetStream: its three streams and its key-value buckets, created or updated
to the configured limits, and the symbol table (one bucket entry per product) written and read back.

    <PREFIX>_<company>_MARKET     market data, latest message per subject, short duplicate window
    <PREFIX>_<company>_ACCOUNT    account pushes, kept by age and size, file storage
    <PREFIX>_<company>_DATAPUSH   data-push events, kept by age and size, file storage
    <PREFIX>_<company>_SYMBOLS    key-value bucket: "<symbol_id>.<trade_type>" -> product row
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import nats.js.errors
from nats.js.api import DiscardPolicy, KeyValueConfig, RetentionPolicy, StorageType, StreamConfig

from ...errors import ConfigurationError, ProtocolError
from .._payloads import RelayedProduct, decode_product, encode_product
from ._errors import translating

if TYPE_CHECKING:
    from nats.js.client import JetStreamContext
    from nats.js.kv import KeyValue

    from .._settings import Retention
    from .._subjects import RelayNames
    from ._link import NatsLink

__all__ = ["ensure_kv", "ensure_streams", "load_products", "put_products"]

logger = logging.getLogger("multimarkets_async.relay")

_STREAM_NAME_IN_USE: Final = 10058  # JSStreamNameExistErr: exists with a different configuration
_KV_DUPLICATE_WINDOW_S: Final = 120.0  # nats-py's default for buckets


def _market_config(names: RelayNames, retention: Retention) -> StreamConfig:
    return StreamConfig(
        name=names.market_stream,
        description="multimarkets relay: market data, latest message per subject",
        subjects=names.market_subjects(),
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_msgs_per_subject=1,
        max_age=retention.market_max_age_s,
        storage=StorageType.MEMORY if retention.market_storage == "memory" else StorageType.FILE,
        duplicate_window=retention.market_duplicate_window_s,
        num_replicas=retention.replicas,
        allow_direct=True,
    )


def _kept_config(name: str, subject: str, what: str, retention: Retention) -> StreamConfig:
    return StreamConfig(
        name=name,
        description=f"multimarkets relay: {what}, kept for durable consumers",
        subjects=[subject],
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=retention.kept_max_age_s,
        max_bytes=retention.kept_max_bytes if retention.kept_max_bytes is not None else -1,
        storage=StorageType.FILE,
        duplicate_window=retention.kept_duplicate_window_s,
        num_replicas=retention.replicas,
    )


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or update it to ``config`` when it exists with other settings."""
    with translating(f"create stream {config.name}"):
        try:
            await js.add_stream(config)
            return
        except nats.js.errors.BadRequestError as exc:
            if exc.err_code != _STREAM_NAME_IN_USE:
                raise
    with translating(f"update stream {config.name}"):
        try:
            await js.update_stream(config)
        except (nats.js.errors.BadRequestError, nats.js.errors.ServerError) as exc:  # 10052 answers 500
            raise ConfigurationError(
                f"JetStream stream {config.name} exists with settings that cannot be changed to these "
                f"({exc.description}); delete the stream or use another prefix"
            ) from exc
    logger.info("JetStream stream %s updated to the configured limits", config.name)


async def ensure_streams(link: NatsLink, names: RelayNames, retention: Retention) -> None:
    """Create or update the relay's three streams and its symbols bucket (history 1).

    Raises:
        ConfigurationError: a stream exists with settings JetStream cannot change (its storage type).
        TransportError: NATS or JetStream did not answer.
    """
    js = link.js
    await _ensure_stream(js, _market_config(names, retention))
    root = names.root
    await _ensure_stream(
        js, _kept_config(names.account_stream, f"{root}.account.*", "account pushes", retention)
    )
    await _ensure_stream(
        js, _kept_config(names.datapush_stream, f"{root}.datapush.*", "data-push events", retention)
    )
    await ensure_kv(link, names.symbols_bucket, ttl_s=None, replicas=retention.replicas)


async def ensure_kv(link: NatsLink, bucket: str, *, ttl_s: float | None, replicas: int = 1) -> KeyValue:
    """The key-value bucket ``bucket`` (history 1, file storage), created, or updated to ``ttl_s``.

    Raises:
        ConfigurationError: the bucket exists with settings JetStream cannot change.
        TransportError: NATS or JetStream did not answer.
    """
    js = link.js
    config = KeyValueConfig(bucket=bucket, history=1, ttl=ttl_s, storage=StorageType.FILE, replicas=replicas)
    with translating(f"create key-value bucket {bucket}"):
        try:
            return await js.create_key_value(config)
        except nats.js.errors.BadRequestError as exc:
            if exc.err_code != _STREAM_NAME_IN_USE:
                raise
        info = await js.stream_info(f"KV_{bucket}")
    stream = info.config
    stream.max_age = ttl_s
    stream.duplicate_window = min(ttl_s, _KV_DUPLICATE_WINDOW_S) if ttl_s else _KV_DUPLICATE_WINDOW_S
    stream.max_msgs_per_subject = 1
    await _ensure_stream(js, stream)
    with translating(f"open key-value bucket {bucket}"):
        return await js.key_value(bucket)


async def put_products(link: NatsLink, names: RelayNames, products: Iterable[RelayedProduct]) -> None:
    """Write one symbols-bucket entry per product (``<symbol_id>.<trade_type>`` -> product row).

    Raises:
        TransportError: NATS or JetStream did not answer; StreamError: no bucket (run ``ensure_streams``).
    """
    bucket = names.symbols_bucket
    with translating(f"open key-value bucket {bucket}"):
        kv = await link.js.key_value(bucket)
    for product in products:
        with translating(f"put {product.key} in {bucket}"):
            await kv.put(product.key, encode_product(product))


async def load_products(link: NatsLink, names: RelayNames) -> list[RelayedProduct]:
    """The symbol table the relay published, ordered by key; ``[]`` when there is no bucket or no entry.

    A row that does not decode is skipped with a warning (its text is not logged).

    Raises:
        TransportError: NATS or JetStream did not answer.
    """
    bucket = names.symbols_bucket
    js = link.js
    with translating(f"read key-value bucket {bucket}"):
        try:
            kv = await js.key_value(bucket)
            info = await js.stream_info(f"KV_{bucket}", subjects_filter=">")
        except nats.js.errors.NotFoundError:
            return []
    prefix = f"$KV.{bucket}."
    keys = sorted(subject.removeprefix(prefix) for subject in (info.state.subjects or {}))
    products: list[RelayedProduct] = []
    for key in keys:
        with translating(f"get {key} from {bucket}"):
            try:
                entry = await kv.get(key)
            except nats.js.errors.KeyNotFoundError:  # deleted (or purged) since the listing
                continue
        try:
            products.append(decode_product(entry.value or b""))
        except ProtocolError:
            logger.warning("skipped the symbols-bucket entry %s of %s: not a product row", key, bucket)
    return products
