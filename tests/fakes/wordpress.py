"""WordPress.com: its OAuth2 server and the REST API's post creation, on one host as on public-api.wordpress.com.

`/oauth2/authorize` and `/oauth2/token` (client secret in the form, no PKCE; a code-flow token
never expires, has no refresh token and names the blog it is for: `blog_id`, `blog_url`),
`/rest/v1.1/me` and `POST /rest/v1.1/sites/{site}/posts/new` (form-encoded, a bearer token).
The site is the sample blog, by domain or id; WordPress's error bodies: 400 `invalid_token`,
403 `unauthorized` (a token for another blog), 404 `unknown_blog`. `TEST_TOKEN` is also
accepted, for the block's self-test. `apply(settings)` and `env()` configure both the OAuth
app and the API endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from tests.fakes.oauth2_server import Account, Client, OAuthState, authorization_server, authorize
from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app
from tests.fakes.server import serve

CLIENT_ID = "12345"
CLIENT_SECRET = "wordpress-client-secret"
ACCOUNT = Account(id="7", email="writer@example.com", login="writer")
TEST_TOKEN = "mock-wordpress-access-token"
BLOG_ID = 1
BLOG_DOMAIN = "myblog.wordpress.com"
DEFAULT_REDIRECT_URI = "http://localhost:3000/auth/integrations/oauth_callback"

INVALID_TOKEN = {"error": "invalid_token", "message": "The OAuth2 token is invalid."}
CANNOT_PUBLISH = {"error": "unauthorized", "message": "User cannot publish posts"}
UNKNOWN_BLOG = {"error": "unknown_blog", "message": "Unknown blog"}


@dataclass
class FakeWordPress(FakeProvider):
    oauth: OAuthState | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, settings: Any) -> None:
        super().apply(settings)
        settings.OAUTH_PROVIDERS = {
            **settings.OAUTH_PROVIDERS,
            "wordpress": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": self.base_url},
        }

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "WORDPRESS_CLIENT_ID": CLIENT_ID,
            "WORDPRESS_CLIENT_SECRET": CLIENT_SECRET,
            "WORDPRESS_OAUTH_BASE_URL": self.base_url,
        }


class WordPressClient(Client):
    def get_allowed_scope(self, scope: str) -> str:
        # No scope is WordPress's single-blog grant, not an invalid request.
        return scope or ""


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "post"


def new_post(post_id: int, form: dict[str, Any], media_urls: list[str]) -> dict[str, Any]:
    slug = form.get("slug") or slugify(form.get("title", ""))
    url = f"https://{BLOG_DOMAIN}/{slug}/"
    names = [name for name in (form.get("categories") or "").split(",") if name] or ["Uncategorized"]
    tags = [name for name in (form.get("tags") or "").split(",") if name]
    return {
        "ID": post_id,
        "site_ID": BLOG_ID,
        "author": {
            "ID": int(ACCOUNT.id),
            "login": ACCOUNT.login,
            "email": False,
            "name": "Writer",
            "nice_name": ACCOUNT.login,
            "URL": f"https://{BLOG_DOMAIN}",
            "avatar_URL": "",
        },
        "date": "2025-10-30T12:00:00+00:00",
        "modified": "2025-10-30T12:00:00+00:00",
        "title": form.get("title", ""),
        "URL": url,
        "short_URL": f"https://wp.me/p{BLOG_ID}-{post_id}",
        "content": form.get("content", ""),
        "excerpt": form.get("excerpt", ""),
        "slug": slug,
        "guid": f"https://{BLOG_DOMAIN}/?p={post_id}",
        "status": form.get("status", "publish"),
        "sticky": form.get("sticky") == "true",
        "password": "",
        "parent": False,
        "type": form.get("type", "post"),
        "discussion": {"comments_open": True, "comment_status": "open", "pings_open": True, "comment_count": 0},
        "likes_enabled": True,
        "sharing_enabled": form.get("sharing_enabled", "true") == "true",
        "like_count": 0,
        "i_like": False,
        "is_reblogged": False,
        "is_following": True,
        "global_ID": f"global-{BLOG_ID}-{post_id}",
        "featured_image": form.get("featured_image", ""),
        "format": "standard",
        "geo": False,
        "menu_order": 0,
        "page_template": "",
        "publicize_URLs": [],
        "terms": {"category": {}, "post_tag": {}},
        "tags": {name: {"name": name, "slug": slugify(name)} for name in tags},
        "categories": {name: {"name": name, "slug": slugify(name)} for name in names},
        "attachments": {str(1000 + n): {"URL": media} for n, media in enumerate(media_urls)},
        "attachment_count": len(media_urls),
        "metadata": [],
        "meta": {"links": {"self": f"https://public-api.wordpress.com/rest/v1.1/sites/{BLOG_ID}/posts/{post_id}"}},
        "capabilities": {"publish_post": True, "delete_post": True, "edit_post": True},
    }


@contextmanager
def fake_wordpress(redirect_uri: str = DEFAULT_REDIRECT_URI) -> Iterator[FakeWordPress]:
    oauth = OAuthState(WordPressClient(CLIENT_ID, CLIENT_SECRET, [redirect_uri]), ACCOUNT)
    state = FakeWordPress(oauth=oauth)
    app = provider_app("fake-wordpress", state)
    server = authorization_server(app, oauth, rotate_refresh_tokens=False)

    app.add_url_rule("/oauth2/authorize", view_func=lambda: authorize(server, oauth))

    @app.post("/oauth2/token")
    def token() -> Response:
        answer: Response = server.create_token_response()
        body = answer.get_json()
        if answer.status_code == 200:
            # A code-flow token: no expiry, no refresh token, the blog it grants; scopes only when global.
            for key in ("expires_in", "refresh_token"):
                body.pop(key, None)
            if not body.get("scope"):
                body.pop("scope", None)
            body.update(blog_id=str(BLOG_ID), blog_url=f"https://{BLOG_DOMAIN}", token_type="bearer")
        return json_response(body, answer.status_code)

    def token_is_valid() -> bool:
        token = bearer_token()
        return token == TEST_TOKEN or oauth.live_token(token) is not None

    @app.get("/rest/v1.1/me")
    def me() -> Response:
        if not token_is_valid():
            return json_response(INVALID_TOKEN, 400)
        return json_response({"ID": int(ACCOUNT.id), "username": ACCOUNT.login, "email": ACCOUNT.email})

    @app.post("/rest/v1.1/sites/<path:site>/posts/new")
    def create_post(site: str) -> Response:
        if not token_is_valid():
            return json_response(INVALID_TOKEN, 400)
        if site not in (BLOG_DOMAIN, str(BLOG_ID)):
            return json_response(UNKNOWN_BLOG, 404)
        form = request.form.to_dict()
        post = new_post(len(state.posts) + 1, form, request.form.getlist("media_urls[]"))
        state.posts.append(post)
        return json_response(post)

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"WORDPRESS_API_BASE_URL": base_url}
        yield state
