"""Dynamic-QR throughput (issue, verify) and the QR version of each kind of code. Prints figures only.

.venv/bin/python bench/qr_tokens.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcard.combined import combine
from healthcard.ehc_id import derive_ehc_id
from healthcard.keys import QrKeyStore
from healthcard.national import national_dynamic, national_static
from healthcard.qr import Ecc, qr_info, render_png
from healthcard.tokens import InMemoryNonceStore, TokenIssuer, verify_token


def rate(label: str, seconds: float, step: Callable[[int], object]) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            step(count)
            count += 1
    per_second = count / elapsed
    print(
        f"{label:<34} {per_second:>10,.0f} /s   ({count} in {elapsed:.2f} s, {1e6 / per_second:.0f} µs each)"
    )
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        keys = QrKeyStore(Path(tmp) / "qr-keys")
        issuer = TokenIssuer(keys)
        card_id = derive_ehc_id("EMPI-BENCH-0001", b"b" * 32)
        tokens: list[str] = []
        print("single process, one core; ES256 via cryptography/OpenSSL")
        rate(
            "dynamic issue", args.seconds, lambda i: tokens.append(issuer.issue_dynamic(card_id, "pay").token)
        )
        nonces = InMemoryNonceStore()
        rate(
            "dynamic verify (sig+exp+nonce)",
            args.seconds,
            lambda i: verify_token(
                tokens[i % len(tokens)] if i < len(tokens) else issuer.issue_dynamic(card_id, "pay").token,
                keys,
                nonce_store=nonces,
            ),
        )
        static = issuer.issue_static(card_id).token
        rate("PNG render (static, M)", args.seconds / 2, lambda i: render_png(static))

        payment = "281234567890123456"
        kinds = {
            "static": static,
            "dynamic": issuer.issue_dynamic(card_id, "pay").token,
            "combined (二码合一)": combine(
                issuer.issue_dynamic(card_id, "pay", payment_data=payment).token, payment
            ),
            "national static": national_static(card_id),
            "national dynamic": national_dynamic(card_id, datetime.now(UTC) + timedelta(seconds=60)),
        }
        print()
        print(
            f"{'kind':<22} {'chars':>5}  "
            + "  ".join(f"{e.value}: ver/modules" for e in (Ecc.L, Ecc.M, Ecc.Q))
        )
        for kind, payload in kinds.items():
            cells = []
            for ecc in (Ecc.L, Ecc.M, Ecc.Q):
                info = qr_info(payload, ecc)
                cells.append(f"{info.version:>2}/{info.modules:<3}         ")
            print(f"{kind:<22} {len(payload):>5}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
