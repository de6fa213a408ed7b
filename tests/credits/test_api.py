from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credits.charging import credits_charge_node_execution
from apps.credits.models import CreditTransaction
from apps.credits.selectors import credits_get_ledger_balance
from apps.credits.services import credits_admin_add, credits_grant, credits_spend, credits_top_up
from tests.credits.conftest import PricedBlock, node_charge_kwargs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLATFORM_KEY = {"credentials": {"provider": "platform"}}


def run_graph(user: User, *, nodes: int, graph_exec_id: str, graph_id: str) -> None:
    for _ in range(nodes):
        credits_charge_node_execution(
            **node_charge_kwargs(
                user, PricedBlock(), input_data=PLATFORM_KEY, graph_exec_id=graph_exec_id, graph_id=graph_id
            )
        )


def test_credits_answers_the_users_balance(user: User, auth_client: APIClient) -> None:
    credits_grant(user_id=user.pk, amount=1234)

    response = auth_client.get("/api/credits")

    assert response.status_code == 200
    assert response.json() == {"credits": 1234}


@override_settings(ENABLE_CREDIT=False)
def test_credits_answers_100_with_billing_off_as_upstream(user: User, auth_client: APIClient) -> None:
    assert auth_client.get("/api/credits").json() == {"credits": 100}


def test_credits_needs_a_token(api_client: APIClient) -> None:
    response = api_client.get("/api/credits")

    assert response.status_code == 401
    assert response.json()["message"] == "Authorization header is missing"


def test_registering_grants_new_user_credits(api_client: APIClient) -> None:
    with override_settings(NEW_USER_CREDITS=1000):
        response = api_client.post(
            "/api/auth/register", {"email": "new@example.com", "password": "a long enough pass"}, format="json"
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")

    assert client.get("/api/credits").json() == {"credits": 1000}
    grant = CreditTransaction.objects.get()
    assert (grant.type, grant.amount) == ("GRANT", 1000)


def test_transactions_group_a_runs_usage_into_one_row(user: User, auth_client: APIClient) -> None:
    credits_grant(user_id=user.pk, amount=1000, transaction_key="welcome", metadata={"reason": "hello"})
    graph_exec_id, graph_id = str(uuid.uuid4()), "abcdef12-3456-4789-8abc-def012345678"
    run_graph(user, nodes=3, graph_exec_id=graph_exec_id, graph_id=graph_id)

    response = auth_client.get("/api/credits/transactions")

    assert response.status_code == 200
    body = response.json()
    assert body["next_transaction_time"] is None
    usage, grant = body["transactions"]
    assert usage["transaction_type"] == "USAGE"
    assert usage["amount"] == -9
    assert usage["running_balance"] == 991
    assert usage["current_balance"] == 991
    assert usage["description"] == "Graph #abcdef12 Execution"
    assert usage["usage_graph_id"] == graph_id
    assert usage["usage_execution_id"] == graph_exec_id
    assert usage["usage_node_count"] == 3
    assert usage["usage_start_time"] < usage["transaction_time"]
    assert usage["transaction_key"] == ""
    assert usage["user_id"] == str(user.pk)
    assert grant == {
        "transaction_key": "welcome",
        "transaction_time": grant["transaction_time"],
        "transaction_type": "GRANT",
        "amount": 1000,
        "running_balance": 1000,
        "current_balance": 991,
        "description": "GRANT Transaction",
        "usage_graph_id": None,
        "usage_execution_id": None,
        "usage_node_count": 0,
        "usage_start_time": "9999-12-31T23:59:59.999999Z",
        "user_id": str(user.pk),
        "user_email": None,
        "reason": "hello",
        "admin_email": None,
        "extra_data": None,
    }


def test_transactions_page_backwards_with_next_transaction_time(user: User, auth_client: APIClient) -> None:
    for amount in (10, 20, 30):
        credits_top_up(user_id=user.pk, amount=amount)

    first = auth_client.get("/api/credits/transactions", {"transaction_count_limit": 2}).json()
    second = auth_client.get(
        "/api/credits/transactions",
        {"transaction_count_limit": 2, "transaction_time": first["next_transaction_time"]},
    ).json()

    assert [tx["amount"] for tx in first["transactions"]] == [30, 20]
    assert first["next_transaction_time"] == first["transactions"][-1]["transaction_time"]
    assert [tx["amount"] for tx in second["transactions"]] == [10]
    assert second["next_transaction_time"] is None


def test_transactions_filter_by_type_and_show_only_the_users_own(user: User, auth_client: APIClient) -> None:
    credits_grant(user_id=user.pk, amount=100)
    credits_spend(user_id=user.pk, cost=5)
    credits_grant(user_id=UserFactory().pk, amount=70)

    body = auth_client.get("/api/credits/transactions", {"transaction_type": "GRANT"}).json()

    assert [(tx["transaction_type"], tx["amount"]) for tx in body["transactions"]] == [("GRANT", 100)]


def test_transactions_time_cursor_is_an_exclusive_upper_bound(user: User, auth_client: APIClient) -> None:
    tx = credits_grant(user_id=user.pk, amount=100).transaction

    at = auth_client.get("/api/credits/transactions", {"transaction_time": tx.created_at.isoformat()}).json()
    after = auth_client.get(
        "/api/credits/transactions", {"transaction_time": (tx.created_at + timedelta(microseconds=1)).isoformat()}
    ).json()

    assert at["transactions"] == []
    assert len(after["transactions"]) == 1


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "many"])
def test_transactions_refuse_a_count_limit_outside_1_to_1000(auth_client: APIClient, limit: str) -> None:
    response = auth_client.get("/api/credits/transactions", {"transaction_count_limit": limit})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "transaction_count_limit"]


def test_transactions_refuse_an_unknown_type(auth_client: APIClient) -> None:
    response = auth_client.get("/api/credits/transactions", {"transaction_type": "BONUS"})

    assert response.status_code == 422


@override_settings(ENABLE_CREDIT=False)
def test_transactions_are_empty_with_billing_off(user: User, auth_client: APIClient) -> None:
    credits_grant(user_id=user.pk, amount=100)

    assert auth_client.get("/api/credits/transactions").json() == {"transactions": [], "next_transaction_time": None}


def test_transactions_take_a_constant_number_of_queries(user: User, auth_client: APIClient) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    run_graph(user, nodes=2, graph_exec_id=str(uuid.uuid4()), graph_id=str(uuid.uuid4()))
    with CaptureQueriesContext(connection) as few:
        auth_client.get("/api/credits/transactions")
    for _ in range(5):
        run_graph(user, nodes=3, graph_exec_id=str(uuid.uuid4()), graph_id=str(uuid.uuid4()))
        credits_top_up(user_id=user.pk, amount=10)

    with CaptureQueriesContext(connection) as many:
        response = auth_client.get("/api/credits/transactions")

    assert len(response.json()["transactions"]) == 12
    assert len(many) == len(few) <= 3


def test_add_credits_grants_and_answers_the_new_balance(staff_client: APIClient, staff_user: User) -> None:
    target = UserFactory()
    credits_grant(user_id=target.pk, amount=50)

    response = staff_client.post(
        "/api/credits/admin/add_credits",
        {"user_id": str(target.pk), "amount": 200, "comments": "goodwill"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["new_balance"] == 250
    tx = CreditTransaction.objects.get(user=target, transaction_key=body["transaction_key"])
    assert tx.type == "GRANT"
    assert tx.metadata == {"admin_id": str(staff_user.pk), "reason": "goodwill"}
    assert credits_get_ledger_balance(user_id=target.pk) == 250


def test_add_credits_takes_a_negative_correction(staff_client: APIClient) -> None:
    target = UserFactory()
    credits_grant(user_id=target.pk, amount=50)

    response = staff_client.post(
        "/api/credits/admin/add_credits", {"user_id": str(target.pk), "amount": -20, "comments": "fix"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["new_balance"] == 30


def test_add_credits_refuses_a_correction_below_zero(staff_client: APIClient) -> None:
    target = UserFactory()
    credits_grant(user_id=target.pk, amount=50)

    response = staff_client.post(
        "/api/credits/admin/add_credits", {"user_id": str(target.pk), "amount": -51, "comments": "fix"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "NEGATIVE_BALANCE"
    assert credits_get_ledger_balance(user_id=target.pk) == 50


def test_add_credits_answers_404_for_an_unknown_user(staff_client: APIClient) -> None:
    response = staff_client.post(
        "/api/credits/admin/add_credits", {"user_id": str(uuid.uuid4()), "amount": 5, "comments": ""}, format="json"
    )

    assert response.status_code == 404
    assert not CreditTransaction.objects.exists()


def test_add_credits_validates_the_body(staff_client: APIClient) -> None:
    response = staff_client.post("/api/credits/admin/add_credits", {"user_id": "nope", "amount": "x"}, format="json")

    assert response.status_code == 422
    locations = {tuple(item["loc"]) for item in response.json()["detail"]}
    assert locations == {("body", "user_id"), ("body", "amount"), ("body", "comments")}


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/credits/admin/add_credits"), ("get", "/api/credits/admin/users_history")],
)
def test_admin_routes_refuse_non_staff(user: User, auth_client: APIClient, method: str, path: str) -> None:
    body = {"user_id": str(user.pk), "amount": 1000, "comments": "me"} if method == "post" else None

    response = getattr(auth_client, method)(path, body, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Admin access required"
    assert response.json()["detail"] == "Admin access required"
    assert not CreditTransaction.objects.exists()


def test_users_history_lists_every_users_transactions_with_admin_and_reason(
    staff_client: APIClient, staff_user: User
) -> None:
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    credits_admin_add(admin_id=staff_user.pk, user_id=alice.pk, amount=300, comments="welcome back")
    credits_grant(user_id=bob.pk, amount=100, metadata={"campaign": "spring"})
    credits_spend(user_id=bob.pk, cost=40, metadata={"reason": "usage"})
    credits_top_up(user_id=bob.pk, amount=500)

    body = staff_client.get("/api/credits/admin/users_history").json()

    assert body["pagination"] == {"total_items": 4, "total_pages": 1, "current_page": 1, "page_size": 20}
    top_up, spend, bob_grant, alice_grant = body["history"]
    assert (top_up["reason"], top_up["extra_data"]) == ("", "{}")
    assert (spend["user_email"], spend["amount"], spend["current_balance"]) == ("bob@example.com", -40, 560)
    assert spend["reason"] == "usage"
    assert bob_grant["reason"] == "No reason provided"
    assert bob_grant["extra_data"] == '{"campaign": "spring"}'
    assert bob_grant["admin_email"] == ""
    assert alice_grant["admin_email"] == staff_user.email
    assert alice_grant["reason"] == "welcome back"
    assert alice_grant["user_id"] == str(alice.pk)
    assert alice_grant["current_balance"] == 300


def test_users_history_searches_and_filters_and_pages(staff_client: APIClient) -> None:
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com", name="Robert")
    for _ in range(3):
        credits_grant(user_id=alice.pk, amount=10)
    credits_grant(user_id=bob.pk, amount=100)
    credits_spend(user_id=bob.pk, cost=1)

    by_email = staff_client.get("/api/credits/admin/users_history", {"search": "ALICE", "page_size": 2}).json()
    page_two = staff_client.get(
        "/api/credits/admin/users_history", {"search": "alice", "page_size": 2, "page": 2}
    ).json()
    by_name = staff_client.get("/api/credits/admin/users_history", {"search": "robert"}).json()
    by_id = staff_client.get("/api/credits/admin/users_history", {"search": str(bob.pk)[:13]}).json()
    usage = staff_client.get("/api/credits/admin/users_history", {"transaction_filter": "USAGE"}).json()

    assert by_email["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 1, "page_size": 2}
    assert len(by_email["history"]) == 2
    assert len(page_two["history"]) == 1
    assert {row["user_email"] for row in by_name["history"]} == {"bob@example.com"}
    assert by_id["pagination"]["total_items"] == 2
    assert [row["amount"] for row in usage["history"]] == [-1]


def test_users_history_takes_a_constant_number_of_queries(staff_client: APIClient, staff_user: User) -> None:
    def add_users(count: int) -> None:
        for _ in range(count):
            target = UserFactory()
            credits_admin_add(admin_id=staff_user.pk, user_id=target.pk, amount=10, comments="x")
            credits_spend(user_id=target.pk, cost=1)

    add_users(1)
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/api/credits/admin/users_history")
    add_users(6)

    with CaptureQueriesContext(connection) as many:
        response = staff_client.get("/api/credits/admin/users_history")

    assert len(response.json()["history"]) == 14
    assert len(many) == len(few) <= 4
