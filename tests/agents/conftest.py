"""Every stand-in an exported agent may reach, started once, and one worker pointed at all of them.

The stand-ins start first so the worker's environment can name their addresses, as an
operator's would name the real services. The worker is this directory's own, on a queue of
its own: the session's shared worker knows none of these endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from apps.credentials.oauth import redirect_uri
from tests.agents.llm_replies import plausible_reply
from tests.fakes import google
from tests.fakes.all_providers import FakeProviders, fake_providers
from tests.fakes.anthropic import FakeAnthropic, fake_anthropic
from tests.fakes.e2b import FakeE2B
from tests.fakes.google import FakeGoogle, fake_google
from tests.fakes.google_api import FakeGoogleAPI, ScopesOf, oauth_token_scopes, scopes_of_test_token
from tests.fakes.jina import FakeJina
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.fakes.youtube import FakeYouTube, Track
from tests.worker import Worker, worker_on_own_queue


@dataclass
class StandIns:
    providers: FakeProviders
    google: FakeGoogle
    openai: FakeOpenAI
    anthropic: FakeAnthropic

    def google_env(self) -> dict[str, str]:
        return {
            "GOOGLE_CLIENT_ID": google.CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": google.CLIENT_SECRET,
            "GOOGLE_OAUTH_BASE_URL": self.google.base_url,
        }

    def worker_env(self) -> dict[str, str]:
        return {
            **self.providers.env(),
            **self.google_env(),
            "OPENAI_BASE_URL": self.openai.api_base,
            # OpenRouter speaks OpenAI's protocol; its stand-in is the same server.
            "OPEN_ROUTER_BASE_URL": self.openai.api_base,
            "ANTHROPIC_BASE_URL": self.anthropic.base_url,
        }

    def reset(self) -> None:
        self.providers.reset()
        for script in (self.openai.script, self.anthropic.script):
            script.reset()
            script.responder = plausible_reply


def either(*known: ScopesOf) -> ScopesOf:
    def scopes_of(token: str) -> Iterable[str] | None:
        for candidate in known:
            scopes = candidate(token)
            if scopes is not None:
                return scopes
        return None

    return scopes_of


# The videos the agents link to by default, and the one a YouTube search "finds".
VIDEOS = {
    "J1Mzd1ZeSaU": [Track("en", ["Welcome to the tutorial", "Agents run blocks in a graph"])],
    "KWonAsyKF3g": [Track("en", ["Automation saves hours", "Start small and iterate"], kind="asr")],
    "aGpT0ex4mpl": [Track("en", ["AutoGPT builds agents", "Each block does one thing"])],
}
YOUTUBE_RESULTS = "https://www.youtube.com/results"
# What the Domain Name Finder's availability check prints (over RDAP, which the sandbox stand-in does not reach).
DOMAIN_CHECK = "check_domains_simple_com.py"
DOMAIN_CHECK_OUTPUT = [
    "<results_summary>\n I checked 3 domains for you.\nDomains available to register now: 2\n"
    "Domains already registered: 1\n</results_summary>\n",
    "<available>\nflowpilot.com\ntaskloom.com\n</available>\n",
    "<unavailable>\nagentforge.com\n</unavailable>\n",
]


def seed_world(providers: FakeProviders) -> None:
    """What the agents look for in the stand-ins: transcripts for their videos, a search results page,
    what a sandboxed script of theirs prints."""
    youtube, jina, e2b = providers["youtube"], providers["jina"], providers["e2b"]
    assert isinstance(youtube, FakeYouTube) and isinstance(jina, FakeJina) and isinstance(e2b, FakeE2B)
    e2b.script(DOMAIN_CHECK, stdout=DOMAIN_CHECK_OUTPUT)
    youtube.videos.update(VIDEOS)
    links = "\n".join(f"- [Video {n}](https://www.youtube.com/watch?v={video})" for n, video in enumerate(VIDEOS, 1))
    jina.pages[YOUTUBE_RESULTS] = f"Title: YouTube\n\nURL Source: {YOUTUBE_RESULTS}\n\nMarkdown Content:\n{links}"


@pytest.fixture(scope="module")
def stand_ins(django_db_setup: Any) -> Iterator[StandIns]:
    with (
        fake_providers() as providers,
        fake_google(redirect_uri()) as google_server,
        fake_openai() as openai_server,
        fake_anthropic() as anthropic_server,
    ):
        # Gmail and Calendar accept the tokens the Google stand-in issues to signed-in users.
        for name in ("gmail", "google_calendar"):
            api = providers[name]
            assert isinstance(api, FakeGoogleAPI)
            api.scopes_of = either(oauth_token_scopes(google_server.state), scopes_of_test_token)
        seed_world(providers)
        yield StandIns(providers, google_server, openai_server, anthropic_server)


@pytest.fixture(scope="module")
def agents_worker(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory, stand_ins: StandIns
) -> Iterator[Worker]:
    # A queue of its own: the session's shared worker, which knows none of the stand-ins' addresses,
    # never takes these runs' nodes, whichever tests ran before.
    log_path = tmp_path_factory.mktemp("agents-worker") / "worker.log"
    with worker_on_own_queue(log_path, stand_ins.worker_env()) as worker:
        yield worker


@pytest.fixture
def configured(settings: Any, stand_ins: StandIns) -> StandIns:
    """This process (the API) points at the same stand-ins; every fake back to its seeded state."""
    stand_ins.reset()
    stand_ins.providers.apply(settings)
    settings.OAUTH_PROVIDERS = {
        **settings.OAUTH_PROVIDERS,
        "google": {
            "client_id": google.CLIENT_ID,
            "client_secret": google.CLIENT_SECRET,
            "base_url": stand_ins.google.base_url,
        },
    }
    return stand_ins
