"""WordPress: signing a WordPress.com account in, and publishing with it, against a local WordPress.com."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from pydantic import SecretStr
from rest_framework.test import APIClient

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.wordpress import WordPressCreatePostBlock
from apps.credentials.codec import to_runtime
from apps.credentials.models import Credential
from apps.credentials.types import OAuth2Credentials
from tests.blocks.outputs import outputs_of
from tests.credentials.conftest import sign_in
from tests.fakes import wordpress
from tests.fakes.wordpress import FakeWordPress, fake_wordpress

TOKEN = OAuth2Credentials(
    id="c0ffee00-0000-4000-8000-000000000003",
    provider="wordpress",
    access_token=SecretStr(wordpress.TEST_TOKEN),
    scopes=[],
)
WRONG_TOKEN = OAuth2Credentials(id=TOKEN.id, provider="wordpress", access_token=SecretStr("expired"), scopes=[])
NEW_POST = f"/rest/v1.1/sites/{wordpress.BLOG_DOMAIN}/posts/new"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeWordPress]:
    with fake_wordpress() as started:
        started.apply(settings)
        yield started


def post(credentials: OAuth2Credentials, **fields: Any) -> dict[str, Any]:
    inputs = {"site": wordpress.BLOG_DOMAIN, "title": "Hello", "content": "<p>Hi</p>", **fields}
    outputs = async_to_sync(outputs_of)(
        WordPressCreatePostBlock, {**inputs, "credentials": credentials.meta()}, credentials=credentials
    )
    return dict(outputs)


@pytest.mark.django_db
def test_a_signed_in_wordpress_account_publishes_a_post(auth_client: APIClient, fake: FakeWordPress) -> None:
    login = auth_client.get("/api/integrations/wordpress/login").json()
    params = parse_qs(urlsplit(login["login_url"]).query)

    response = sign_in(auth_client, "wordpress")

    assert "scope" not in params and "code_challenge" not in params
    assert response.status_code == 200, response.json()
    assert response.json()["username"] == "writer"
    credentials = to_runtime(Credential.objects.get(pk=response.json()["id"]))
    assert isinstance(credentials, OAuth2Credentials)
    assert credentials.access_token_expires_at is None and credentials.refresh_token is None
    assert credentials.metadata == {"blog_id": "1", "blog_url": "https://myblog.wordpress.com"}

    outputs = post(credentials, title="Launch day!")

    assert outputs["post_id"] == 1
    assert outputs["post_url"] == "https://myblog.wordpress.com/launch-day/"
    assert outputs["short_url"] == "https://wp.me/p1-1"
    assert outputs["post_data"]["title"] == "Launch day!"
    (received,) = fake.requests_to(NEW_POST)
    assert received.headers["Authorization"] == credentials.auth_header()


@pytest.mark.django_db
def test_deleting_wordpress_credentials_says_they_were_not_revoked_as_wordpress_has_no_revocation(
    auth_client: APIClient, fake: FakeWordPress
) -> None:
    credentials_id = sign_in(auth_client, "wordpress").json()["id"]

    response = auth_client.delete(f"/api/integrations/wordpress/credentials/{credentials_id}")

    assert response.status_code == 200
    assert response.json()["revoked"] is False


def test_the_post_is_sent_as_wordpress_takes_a_form(fake: FakeWordPress) -> None:
    post(
        TOKEN,
        excerpt="Short",
        categories=["News", "Tech"],
        tags=["ai"],
        media_urls=["https://img.example.com/a.png", "https://img.example.com/b.png"],
    )

    (received,) = fake.requests_to(NEW_POST)
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(received.body)
    assert form == {
        "title": ["Hello"],
        "content": ["<p>Hi</p>"],
        "status": ["publish"],
        "type": ["post"],
        "sticky": ["false"],
        "publicize": ["true"],
        "sharing_enabled": ["true"],
        "excerpt": ["Short"],
        "categories": ["News,Tech"],
        "tags": ["ai"],
        "media_urls[]": ["https://img.example.com/a.png", "https://img.example.com/b.png"],
    }
    assert fake.posts[0]["attachment_count"] == 2


def test_a_site_given_by_id_is_one_path_segment(fake: FakeWordPress) -> None:
    post(TOKEN, site="1")
    with pytest.raises(BlockExecutionError, match="Failed to create post: WordPress answered 404: Unknown blog"):
        post(TOKEN, site="1/posts/../../other")

    assert fake.requests[-1].raw_path == "/rest/v1.1/sites/1%2Fposts%2F..%2F..%2Fother/posts/new"


def test_an_invalid_token_fails_with_wordpress_message(fake: FakeWordPress) -> None:
    with pytest.raises(BlockExecutionError, match="Failed to create post: WordPress answered 400: The OAuth2 token"):
        post(WRONG_TOKEN)


def test_a_token_for_another_blog_fails_with_wordpress_message(fake: FakeWordPress) -> None:
    fake.reply_next(NEW_POST, 403, wordpress.CANNOT_PUBLISH)

    with pytest.raises(BlockExecutionError, match="WordPress answered 403: User cannot publish posts"):
        post(TOKEN)


def test_a_gateway_timeout_is_not_retried_so_a_post_is_never_published_twice(fake: FakeWordPress) -> None:
    fake.reply_next(NEW_POST, 504, "Gateway Time-out")

    with pytest.raises(BlockExecutionError, match="Failed to create post: WordPress answered 504"):
        post(TOKEN)
    assert WordPressCreatePostBlock.retry is None
