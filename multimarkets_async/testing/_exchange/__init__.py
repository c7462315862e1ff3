"""The simulated exchange as pure domain logic: products, prices, records, accounts, ledger and rules.

No starlette, uvicorn or anyio here: values in, values out; the transports above read and change it.
"""

from __future__ import annotations
