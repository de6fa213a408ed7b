from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.api_keys.keys import key_generate, key_hash, key_is_well_formed
from apps.api_keys.models import APIKey, APIKeyStatus
from apps.api_keys.selectors import api_key_resolve
from tests.api_keys.conftest import MakeKey


def test_a_key_is_agpt_and_32_random_bytes_stored_as_head_tail_and_hmac() -> None:
    generated = key_generate()

    assert generated.plaintext.startswith("agpt_")
    assert len(generated.plaintext) == 48
    assert key_is_well_formed(generated.plaintext)
    assert generated.head == generated.plaintext[:8]
    assert generated.tail == generated.plaintext[-8:]
    expected = hmac.new(settings.API_KEY_PEPPER.encode(), generated.plaintext.encode(), hashlib.sha256).hexdigest()
    assert generated.hash == expected
    assert generated.plaintext not in repr(generated)


def test_the_hash_depends_on_the_pepper(settings) -> None:  # type: ignore[no-untyped-def]
    plaintext = key_generate().plaintext
    before = key_hash(plaintext)

    settings.API_KEY_PEPPER = "another pepper"

    assert key_hash(plaintext) != before


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "agpt_",
        "agpt_short",
        "x" * 48,
        "AGPT_" + "a" * 43,
        "agpt_" + "a" * 42,
        "agpt_" + "a" * 44,
        "agpt_" + "a" * 42 + "!",
        "agpt_" + "a" * 43 + "\n",
    ],
)
def test_malformed_keys_are_recognised(candidate: str) -> None:
    assert not key_is_well_formed(candidate)


@pytest.mark.django_db
def test_keys_sharing_a_head_are_told_apart_by_their_hash(user: User, make_key: MakeKey) -> None:
    api_key, plaintext = make_key()
    twin_plaintext = plaintext[:8] + "B" * 40
    twin = APIKey.objects.create(
        user=user, name="twin", head=twin_plaintext[:8], tail=twin_plaintext[-8:], hash=key_hash(twin_plaintext)
    )

    assert api_key_resolve(plaintext=plaintext) == (api_key, user)
    assert api_key_resolve(plaintext=twin_plaintext) == (twin, user)
    assert api_key_resolve(plaintext=plaintext[:8] + "C" * 40) is None


@pytest.mark.django_db
def test_a_key_of_an_inactive_user_does_not_resolve(user: User, make_key: MakeKey) -> None:
    _, plaintext = make_key()
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert api_key_resolve(plaintext=plaintext) is None


@pytest.mark.django_db
def test_the_database_refuses_a_revoked_key_without_revocation_time(make_key: MakeKey) -> None:
    api_key, _ = make_key()

    with pytest.raises(IntegrityError), transaction.atomic():
        APIKey.objects.filter(pk=api_key.pk).update(status=APIKeyStatus.REVOKED)
