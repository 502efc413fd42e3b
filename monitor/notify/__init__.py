"""Owner notifications: one digest per owner per run, by email and webhooks.

The pipeline, one module per step:

* :mod:`~monitor.notify.digest` decides who hears what (pure);
* :mod:`~monitor.notify.render` words it: subject, text, HTML, Slack, webhook JSON;
* :mod:`~monitor.notify.messages` turns digests into outbox rows per channel;
* :mod:`~monitor.notify.outbox` delivers the rows, surviving crashes without sending
  an email twice (its docstring explains how);
* :mod:`~monitor.notify.mail` and :mod:`~monitor.notify.webhook` do the sending,
  :mod:`~monitor.notify.signing` signs webhooks (Standard Webhooks);
* :func:`notify_run` ties them together after a run.
"""

from monitor.notify.config import NotifySettings, Route
from monitor.notify.digest import (
    AffectedCitation,
    ArchiveCopy,
    Composition,
    Digest,
    DigestItem,
    ItemKind,
    compose,
)
from monitor.notify.errors import DeliveryError
from monitor.notify.messages import Channel, Preview
from monitor.notify.outbox import Outcome
from monitor.notify.report import NotifyReport
from monitor.notify.runner import deliver_due, notify_run

__all__ = [
    "AffectedCitation",
    "ArchiveCopy",
    "Channel",
    "Composition",
    "DeliveryError",
    "Digest",
    "DigestItem",
    "ItemKind",
    "NotifyReport",
    "NotifySettings",
    "Outcome",
    "Preview",
    "Route",
    "compose",
    "deliver_due",
    "notify_run",
]
