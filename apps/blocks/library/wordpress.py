"""Publishing on WordPress.com and Jetpack sites, as upstream's `blocks/wordpress/blog.py`.

`POST /rest/v1.1/sites/{site}/posts/new` on WordPress.com's REST API, form-encoded, with the
user's OAuth2 token (`apps/credentials/oauth/wordpress.py` signs them in). Lists travel as
WordPress expects them in a form: categories and tags comma-separated, media URLs as
`media_urls[]`.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from pydantic import SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import OAuth2Credentials

SERVICE = "WordPress"

TEST_CREDENTIALS = OAuth2Credentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="wordpress",
    access_token=SecretStr("mock-wordpress-access-token"),
    refresh_token=None,
    access_token_expires_at=None,
    scopes=[],
    title="Mock WordPress OAuth2 credentials",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


def post_form(input_data: Any) -> dict[str, Any]:
    """The form WordPress.com takes for a new, published post; unset options are left to its defaults."""
    form: dict[str, Any] = {
        "title": input_data.title,
        "content": input_data.content,
        "status": "publish",
        "type": "post",
        "sticky": "false",
        "publicize": "true",
        "sharing_enabled": "true",
    }
    optional = {
        "excerpt": input_data.excerpt,
        "slug": input_data.slug,
        "author": input_data.author,
        "featured_image": input_data.featured_image,
        "categories": ",".join(input_data.categories),
        "tags": ",".join(input_data.tags),
    }
    form.update({name: value for name, value in optional.items() if value})
    if input_data.media_urls:
        form["media_urls[]"] = list(input_data.media_urls)
    return form


class WordPressCreatePostBlock(Block):
    id = "ee4fe08c-18f9-442f-a985-235379b932e1"
    description = "Create a new post on WordPress.com or Jetpack sites"
    categories = frozenset({BlockCategory.SOCIAL})
    costs = (BlockCost(cost_amount=1),)

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.WORDPRESS], Literal["oauth2"]] = CredentialsField(
            description="WordPress.com account"
        )
        site: str = SchemaField(description="Site ID or domain (e.g., 'myblog.wordpress.com' or '123456789')")
        title: str = SchemaField(description="The post title")
        content: str = SchemaField(description="The post content (HTML supported)")
        excerpt: str | None = SchemaField(description="An optional post excerpt/summary", default=None)
        slug: str | None = SchemaField(
            description="The URL slug for the post (auto-generated if not provided)", default=None
        )
        author: str | None = SchemaField(
            description="Username or ID of the author (defaults to authenticated user)", default=None
        )
        categories: list[str] = SchemaField(description="List of category names or IDs", default=[])
        tags: list[str] = SchemaField(description="List of tag names or IDs", default=[])
        featured_image: str | None = SchemaField(
            description="Post ID of an existing attachment to set as featured image", default=None
        )
        media_urls: list[str] = SchemaField(description="URLs of images to sideload and attach to the post", default=[])

    class Output(BlockSchemaOutput):
        post_id: int = SchemaField(description="The ID of the created post")
        post_url: str = SchemaField(description="The full URL of the created post")
        short_url: str = SchemaField(description="The shortened wp.me URL")
        post_data: dict[str, Any] = SchemaField(description="Complete post data returned by API")

    # Upstream declares no self-test; this one publishes to the stand-in's sample blog.
    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "site": "myblog.wordpress.com",
        "title": "Hello world",
        "content": "<p>First post</p>",
    }
    test_output = [
        ("post_id", 1),
        ("post_url", "https://myblog.wordpress.com/hello-world/"),
        ("short_url", "https://wp.me/p1-1"),
        ("post_data", lambda post: post["title"] == "Hello world" and post["status"] == "publish"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: OAuth2Credentials, **context: Any
    ) -> BlockOutput:
        url = provider_http.provider_url("wordpress", f"/rest/v1.1/sites/{quote(input_data.site, safe='')}/posts/new")
        try:
            post = await provider_http.request_json(
                SERVICE,
                "POST",
                url,
                headers={"Authorization": credentials.auth_header()},
                form_data=post_form(input_data),
            )
        except (provider_http.ProviderError, provider_http.ProviderUnavailableError) as error:
            # Not retried: a post WordPress made before a 504 would be published twice.
            raise provider_http.ProviderError(f"Failed to create post: {error}") from error
        if not isinstance(post, dict) or not isinstance(post.get("ID"), int):
            raise provider_http.ProviderError(f"{SERVICE} answered without the created post")
        yield "post_id", post["ID"]
        yield "post_url", str(post.get("URL", ""))
        yield "short_url", str(post.get("short_URL", ""))
        yield "post_data", post
