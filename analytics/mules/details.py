"""Transaction details drawn column-wise: channel, merchant, terminal location, city, IP, device.

Ordinary clients live in one city, pay by card near home and use one or two devices from a
home IP. Drops are run by a few handlers: they share handlers' devices and proxy IPs and
withdraw cash in other cities. Drawn after the rows are sorted, from their own stream.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.mules import codes
from analytics.mules.rng import DETAILS, generator

CITIES = (
    ("Berlin", 52.5200, 13.4050, 9),
    ("Hamburg", 53.5511, 9.9937, 5),
    ("Munich", 48.1351, 11.5820, 5),
    ("Cologne", 50.9375, 6.9603, 4),
    ("Frankfurt", 50.1109, 8.6821, 4),
    ("Stuttgart", 48.7758, 9.1829, 3),
    ("Leipzig", 51.3397, 12.3731, 2),
    ("Dresden", 51.0504, 13.7373, 2),
    ("Hanover", 52.3759, 9.7320, 2),
    ("Nuremberg", 49.4521, 11.0767, 2),
    ("Vienna", 48.2082, 16.3738, 3),
    ("Prague", 50.0755, 14.4378, 2),
    ("Warsaw", 52.2297, 21.0122, 3),
    ("Amsterdam", 52.3676, 4.9041, 3),
    ("Brussels", 50.8503, 4.3517, 2),
    ("Zurich", 47.3769, 8.5417, 2),
)
IP_FIRST_OCTETS = np.array(
    [
        31,
        46,
        62,
        77,
        78,
        79,
        80,
        81,
        84,
        85,
        87,
        88,
        91,
        92,
        93,
        94,
        95,
        176,
        178,
        185,
        188,
        193,
        194,
        195,
        212,
        213,
        217,
    ]
)
HOME_CITY_SHARE = {False: 0.92, True: 0.5}  # card and ATM use in the home city: ordinary clients, drops
HOME_IP_SHARE = {False: 0.85, True: 0.4}
HANDLER_SHARE = 0.7  # a drop's online actions from its handler's device / proxy
APP_SHARE = 0.65
ONLINE_CHANNEL_TYPES = (codes.TRANSFER_OUT, codes.ONLINE, codes.CRYPTO, codes.BILL)
MERCHANTS = {codes.CARD: 400, codes.ONLINE: 300, codes.CRYPTO: 12, codes.BILL: 60, codes.ATM: 200}
DEVICE_HANDLERS = 9_000_000


def formatted(prefix: str, values: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """`prefix` + zero-padded numbers as strings (null where not valid)."""
    arr = pa.array(values, type=pa.int64(), mask=None if valid is None else ~valid)
    return pc.binary_join_element_wise(
        prefix, pc.utf8_lpad(pc.cast(arr, pa.string()), width, padding="0"), ""
    )


def _ip_text(addresses: np.ndarray, valid: np.ndarray) -> pa.Array:
    octets = [pa.array((addresses >> shift) & 255, mask=~valid).cast(pa.string()) for shift in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


class Details:
    """Per-client habits, then per-row details for sorted rows."""

    def __init__(self, seed: int, clients: int, drops: int, numbers: np.ndarray) -> None:
        self.gen = generator(seed, DETAILS)
        self.drops = drops
        self.numbers = numbers
        weights = np.array([c[3] for c in CITIES], float)
        self.home = self.gen.choice(len(CITIES), clients, p=weights / weights.sum())
        self.home_ip = self._addresses(clients)
        handlers = max(drops // 8, 3)
        self.handler = self.gen.integers(0, handlers, clients)
        self.proxy_ip = self._addresses(handlers)

    def _addresses(self, n: int) -> np.ndarray:
        first = IP_FIRST_OCTETS[self.gen.integers(0, len(IP_FIRST_OCTETS), n)]
        return (first << 24) | self.gen.integers(0, 1 << 24, n)

    def columns(self, client: np.ndarray, txn_type: np.ndarray) -> dict[str, pa.Array]:
        """channel, merchant_id, lat, lon, ip, city, device_id for rows of these clients and types."""
        n, gen = len(client), self.gen
        drop = client < self.drops
        online = np.isin(txn_type, ONLINE_CHANNEL_TYPES)
        channel = np.full(n, codes.BANK)
        channel[online] = np.where(gen.random(int(online.sum())) < APP_SHARE, codes.APP, codes.WEB)
        channel[txn_type == codes.CARD] = codes.POS
        channel[txn_type == codes.ATM] = codes.ATM_CHANNEL
        at_terminal = (channel == codes.POS) | (channel == codes.ATM_CHANNEL)

        home_share = np.where(drop, HOME_CITY_SHARE[True], HOME_CITY_SHARE[False])
        city = np.where(gen.random(n) < home_share, self.home[client], gen.integers(0, len(CITIES), n))
        has_city = channel != codes.BANK
        lat = np.array([c[1] for c in CITIES])[city] + gen.normal(0, 0.03, n)
        lon = np.array([c[2] for c in CITIES])[city] + gen.normal(0, 0.03, n)

        merchant = np.zeros(n, np.int64)
        for txn, count in MERCHANTS.items():
            rows = txn_type == txn
            merchant[rows] = gen.integers(0, count, int(rows.sum()))
        merchant = np.where(np.isin(txn_type, (codes.CARD, codes.ATM)), city * 1000 + merchant, merchant)

        by_handler = drop & (gen.random(n) < HANDLER_SHARE)
        own_ip = gen.random(n) < np.where(drop, HOME_IP_SHARE[True], HOME_IP_SHARE[False])
        ip = np.where(
            by_handler,
            self.proxy_ip[self.handler[client]],
            np.where(own_ip, self.home_ip[client], self._addresses(n)),
        )
        second_device = gen.random(n) < 0.05
        device = np.where(
            by_handler, DEVICE_HANDLERS + self.handler[client], self.numbers[client] * 2 + second_device
        )
        city_names = pa.array([c[0] for c in CITIES])
        return {
            "merchant_id": self._merchants(txn_type, merchant),
            "lat": pa.array(np.round(lat, 5), mask=~at_terminal),
            "lon": pa.array(np.round(lon, 5), mask=~at_terminal),
            "ip": _ip_text(ip, online),
            "city": pc.take(city_names, pa.array(city, mask=~has_city)),
            "device_id": formatted("D", device, 8, online),
            "channel": pc.take(pa.array(codes.CHANNELS), pa.array(channel)),
        }

    @staticmethod
    def _merchants(txn_type: np.ndarray, merchant: np.ndarray) -> pa.Array:
        parts = {
            codes.CARD: ("M", 5),
            codes.ONLINE: ("MO", 4),
            codes.CRYPTO: ("MC", 2),
            codes.BILL: ("MB", 3),
            codes.ATM: ("ATM", 5),
        }
        out = pa.nulls(len(txn_type), pa.string())
        for txn, (prefix, width) in parts.items():
            rows = txn_type == txn
            if rows.any():
                out = pc.if_else(pa.array(rows), formatted(prefix, merchant, width, rows), out)
        return out
