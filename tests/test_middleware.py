"""A NUL byte anywhere in an address gets a clear 400, never a database error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/me/registrations/%00/cancel/", "/?page=%00", "/?when=%00", "/events/%00/",
     "/accounts/reset/%00/x/"],
)  # fmt: skip
def test_pages_answer_400(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 400
    assert b"Null characters" in response.content


@pytest.mark.parametrize("path", ["/api/events/%00", "/api/events?offset=%00"])
def test_the_api_answers_400_with_a_code(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
