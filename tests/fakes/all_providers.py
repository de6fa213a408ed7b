"""Every fake provider at once: for block self-tests and for running whole agents against stand-ins.

`fake_providers()` starts them all and yields a `FakeProviders`; `apply(settings)` points this
process at them, `env()` gives a worker process the same endpoints, `reset()` puts every fake
back to its seeded state between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from tests.fakes.airtable import fake_airtable
from tests.fakes.dataforseo import fake_dataforseo
from tests.fakes.e2b import fake_e2b
from tests.fakes.firecrawl import fake_firecrawl
from tests.fakes.gmail import fake_gmail
from tests.fakes.google_calendar import fake_google_calendar
from tests.fakes.google_maps import fake_google_maps
from tests.fakes.ideogram import fake_ideogram
from tests.fakes.jina import fake_jina
from tests.fakes.provider import FakeProvider
from tests.fakes.replicate import fake_replicate
from tests.fakes.revid import fake_revid
from tests.fakes.wordpress import fake_wordpress
from tests.fakes.youtube import fake_youtube


@dataclass
class FakeProviders:
    by_name: dict[str, FakeProvider]

    def __getitem__(self, name: str) -> FakeProvider:
        return self.by_name[name]

    def env(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for provider in self.by_name.values():
            merged.update(provider.env())
        return merged

    def apply(self, settings: Any) -> None:
        for provider in self.by_name.values():
            provider.apply(settings)

    def reset(self) -> None:
        for provider in self.by_name.values():
            provider.reset()


STARTERS = {
    "jina": fake_jina,
    "google_maps": fake_google_maps,
    "youtube": fake_youtube,
    "gmail": fake_gmail,
    "google_calendar": fake_google_calendar,
    "replicate": fake_replicate,
    "ideogram": fake_ideogram,
    "dataforseo": fake_dataforseo,
    "wordpress": fake_wordpress,
    "firecrawl": fake_firecrawl,
    "airtable": fake_airtable,
    "revid": fake_revid,
    "e2b": fake_e2b,
}


@contextmanager
def fake_providers() -> Iterator[FakeProviders]:
    with ExitStack() as stack:
        yield FakeProviders({name: stack.enter_context(start()) for name, start in STARTERS.items()})
