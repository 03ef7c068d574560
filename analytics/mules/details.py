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
CITY_TEXT = pa.array([c[0] for c in CITIES])


def formatted(prefix: str, values: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """`prefix` + zero-padded numbers as strings (null where not valid)."""
    arr = pa.array(values, type=pa.int64(), mask=None if valid is None else ~valid)
    return pc.binary_join_element_wise(
        prefix, pc.utf8_lpad(pc.cast(arr, pa.string()), width, padding="0"), ""
    )


def _ip_text(addresses: np.ndarray) -> pa.Array:
    """Dotted quads of IPv4 addresses given as integers."""
    octets = [pa.array((addresses >> shift) & 255).cast(pa.string()) for shift in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


def _merchant_texts() -> tuple[pa.Array, np.ndarray]:
    """Every merchant id as text, and where each type's ids start in it (-1: the type has none)."""
    names = {
        codes.CARD: ("M", 5),
        codes.ONLINE: ("MO", 4),
        codes.CRYPTO: ("MC", 2),
        codes.BILL: ("MB", 3),
        codes.ATM: ("ATM", 5),
    }
    offsets = np.full(len(codes.TXN_TYPES), -1, np.int64)
    parts, start = [], 0
    for txn, (prefix, width) in names.items():
        count = len(CITIES) * 1000 if txn in (codes.CARD, codes.ATM) else MERCHANTS[txn]
        offsets[txn] = start
        parts.append(formatted(prefix, np.arange(count), width))
        start += count
    return pa.concat_arrays(parts), offsets


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
        # texts looked up by index: home IPs then proxies; own devices (two per client) then handlers'
        self.ip_text = _ip_text(np.concatenate([self.home_ip, self.proxy_ip]))
        own = np.repeat(numbers * 2, 2) + np.tile([0, 1], clients)
        self.device_text = formatted("D", np.concatenate([own, DEVICE_HANDLERS + np.arange(handlers)]), 8)

    def _addresses(self, n: int) -> np.ndarray:
        """n random public IPv4 addresses as integers."""
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
        roaming = online & ~by_handler & ~own_ip  # a mobile network's address, drawn per row
        known_ip = np.where(by_handler, len(self.home_ip) + self.handler[client], client)
        ip = pc.take(self.ip_text, pa.array(known_ip, mask=~online))
        if roaming.any():
            ip = pc.replace_with_mask(ip, pa.array(roaming), _ip_text(self._addresses(int(roaming.sum()))))
        second_device = gen.random(n) < 0.05
        device = np.where(
            by_handler, 2 * len(self.home_ip) + self.handler[client], 2 * client + second_device
        )
        return {
            "merchant_id": pc.take(
                MERCHANT_TEXT,
                pa.array(MERCHANT_OFFSET[txn_type] + merchant, mask=MERCHANT_OFFSET[txn_type] < 0),
            ),
            "lat": pa.array(np.round(lat, 5), mask=~at_terminal),
            "lon": pa.array(np.round(lon, 5), mask=~at_terminal),
            "ip": ip,
            "city": pc.take(CITY_TEXT, pa.array(city, mask=~has_city)),
            "device_id": pc.take(self.device_text, pa.array(device, mask=~online)),
            "channel": pc.take(pa.array(codes.CHANNELS), pa.array(channel)),
        }


MERCHANT_TEXT, MERCHANT_OFFSET = _merchant_texts()
