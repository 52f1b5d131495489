"""The database gone (restarting, failing over): visitors and API clients get a 503 that says
"try again in a moment" with Retry-After, never a 500; /healthz still answers (the process lives)."""

from heritage import create_app

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/heritage"  # nothing listens on port 1


def test_pages_and_api_answer_503_with_retry_after():
    app = create_app({"DATABASE_URL": NOWHERE, "SECRET_KEY": "ops", "PAGE_CACHE_SECONDS": 0})
    client = app.test_client()
    page = client.get("/vi/sites/dinh-trung-ban")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "thử lại" in page.get_data(as_text=True)  # in the visitor's language
    api = client.get("/api/v1/sites")
    assert api.status_code == 503
    assert api.get_json()["ok"] is False and api.get_json()["error"]["code"] == "service_unavailable"
    scan = client.get("/q/FFWXZ")
    assert scan.status_code == 503 and scan.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").status_code == 200
