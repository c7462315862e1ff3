"""The relay's NATS seam: the only package that imports nats-py.

``NatsLink`` (connection, publishing), ``ensure_streams`` / ``put_products`` / ``load_products``
(JetStream setup and the symbol table), ``Lease`` (which relay is active) and the readers
(``LatestReader`` for market data, ``SharedReader`` + ``Delivery`` for kept streams). nats-py's
exceptions become the SDK's here (``map_nats_error``), and nowhere else.
"""

from __future__ import annotations

try:
    import nats as _nats  # noqa: F401 (only to say which extra is missing)
except ImportError as exc:  # pragma: no cover - the test environment has the extra
    raise ImportError(
        'multimarkets_async.relay needs nats-py: pip install "multimarkets-async[relay]"'
    ) from exc

from ._errors import map_nats_error, mask_url
from ._lease import Lease
from ._link import NatsLink
from ._readers import LatestReader
from ._setup import ensure_streams, load_products, put_products
from ._shared import Delivery, SharedReader

__all__ = [
    "Delivery",
    "LatestReader",
    "Lease",
    "NatsLink",
    "SharedReader",
    "ensure_streams",
    "load_products",
    "map_nats_error",
    "mask_url",
    "put_products",
]
