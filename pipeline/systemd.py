"""Tell systemd how the daemon is doing: the sd_notify datagram protocol, written out.

``Type=notify`` units get ``$NOTIFY_SOCKET``; the daemon sends ``READY=1`` once it serves,
``WATCHDOG=1`` from its scheduler's heartbeat (so a wedged scheduler gets the unit restarted),
``RELOADING=1`` / ``READY=1`` around a SIGHUP reload and ``STOPPING=1`` on the way out. The
protocol is one datagram of ``KEY=value`` lines to a Unix socket (a leading ``@`` names an
abstract socket): https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html .
Without ``$NOTIFY_SOCKET`` every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time

__all__ = ["notify", "watchdog_interval"]

log = logging.getLogger("huiju.daemon")


def notify(*states: str) -> bool:
    """Send *states* (``"READY=1"``, ``"STATUS=…"``) to systemd; False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    message = "\n".join(states)
    if "RELOADING=1" in states:  # systemd 253+ wants the time the reload began
        message += f"\nMONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError as exc:
        log.warning("无法通知 systemd（%(socket)s）：%(error)s",
                    {"socket": os.environ.get("NOTIFY_SOCKET"), "error": exc.strerror or exc})
        return False


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings systemd expects (half its WatchdogSec), or None."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1e6 / 2
