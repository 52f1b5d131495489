"""Link previews (Open Graph, Twitter), schema.org data on site pages, the sitemap and robots.txt."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from heritage.web import seo

BASE = "https://disan.quangninh.gov.vn"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


class _Head(HTMLParser):
    """Meta tags (property/name -> contents) and the text of JSON-LD blocks, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content"))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"
        if self._in_ld:
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def _head(client, path, **kwargs) -> _Head:
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    parser = _Head()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def site(make_site):
    return make_site(
        "Đình Trung Bản",
        texts={"zh": {"name": "中班亭", "summary": "一座村亭。", "body": "故事。"}},
        latitude=20.9083,
        longitude=106.8275,
        district="thị xã Quảng Yên",
        province="Quảng Ninh",
    )


def test_tags_in_vietnamese(client, site):
    head = _head(client, f"/vi/sites/{site.slug}")
    m = head.meta
    assert m["og:title"] == ["Đình Trung Bản"]
    assert m["og:description"] == ["Tóm tắt Đình Trung Bản"]
    assert m["og:url"] == [f"{BASE}/vi/sites/{site.slug}"]
    assert m["og:type"] == ["website"]
    assert m["og:locale"] == ["vi_VN"]
    assert m["og:locale:alternate"] == ["zh_CN"]  # the languages the site is written in
    assert m["og:site_name"] == ["Di sản Quảng Ninh"]
    # No photo: the default image, absolute, and the small card.
    assert re.fullmatch(rf"{BASE}/static/icons/icon-512(\.[0-9a-f]+)?\.png", m["og:image"][0])
    assert m["twitter:card"] == ["summary"]


def test_tags_in_chinese(client, site):
    m = _head(client, f"/zh/sites/{site.slug}").meta
    assert (m["og:title"], m["og:description"]) == (["中班亭"], ["一座村亭。"])
    assert m["og:url"] == [f"{BASE}/zh/sites/{site.slug}"]
    assert m["og:locale"] == ["zh_CN"] and m["og:locale:alternate"] == ["vi_VN"]
    assert m["og:site_name"] == ["广宁遗产"]


def test_og_url_and_image_never_from_the_host_header(app, client, site):
    # An alias the operator trusts reaches the page; the page still names only the public host.
    app.config["TRUSTED_HOSTS"] = [*app.config["TRUSTED_HOSTS"], "alias.example"]
    for headers in ({"Host": "alias.example"}, {"X-Forwarded-Host": "alias.example"}):
        response = client.get(f"/vi/sites/{site.slug}", headers=headers)
        assert response.status_code == 200
        parser = _Head()
        parser.feed(response.get_data(as_text=True))
        assert parser.meta["og:url"] == [f"{BASE}/vi/sites/{site.slug}"]
        assert parser.meta["og:image"][0].startswith(BASE + "/")
        assert "alias.example" not in parser.json_ld[0]


def test_json_ld_parses_with_geo_only_when_coordinates_exist(client, site, make_site):
    data = json.loads(_head(client, f"/vi/sites/{site.slug}").json_ld[0])
    assert data["@type"] == ["TouristAttraction", "LandmarksOrHistoricalBuildings"]
    assert (data["name"], data["description"]) == ("Đình Trung Bản", "Tóm tắt Đình Trung Bản")
    assert data["url"] == f"{BASE}/vi/sites/{site.slug}" and data["inLanguage"] == "vi"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 20.9083, "longitude": 106.8275}
    assert data["address"]["addressLocality"] and data["address"]["addressRegion"]
    assert data["image"].startswith(BASE + "/")
    unsurveyed = make_site("Miếu Vua Bà")
    data = json.loads(_head(client, f"/vi/sites/{unsurveyed.slug}").json_ld[0])
    assert "geo" not in data and data["name"] == "Miếu Vua Bà"


def test_a_name_cannot_close_the_json_ld_block(client, make_site):
    hostile = make_site('Đình </script><script>alert(1)</script><!--<script> "x"')
    html = client.get(f"/vi/sites/{hostile.slug}").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == 'Đình </script><script>alert(1)</script><!--<script> "x"'
    assert "<script>alert(1)" not in html


def test_first_photo_is_the_preview_image(app, client, session, site, tmp_path):
    from heritage.media.photos import add_photo
    from heritage.media.storage import LocalStorage
    from tests.media.conftest import encode, gradient

    app.config["MEDIA_DIR"] = str(tmp_path)
    app.extensions.pop("heritage.media_storage", None)
    data = encode(gradient(1200, 800), "JPEG", quality=85)
    add_photo(
        session,
        LocalStorage(tmp_path),
        site,
        data,
        "gate.jpg",
        "Nguyễn Văn A",
        "CC BY-SA 4.0",
        {"vi": "Cổng"},
    )
    session.commit()
    head = _head(client, f"/vi/sites/{site.slug}")
    image = head.meta["og:image"][0]
    assert re.fullmatch(rf"{BASE}/media/\S+\.jpg", image), image
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert json.loads(head.json_ld[0])["image"] == image
    assert client.get(image.removeprefix(BASE)).headers["Content-Type"] == "image/jpeg"


def _sitemap(client, path="/sitemap.xml"):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return ET.fromstring(response.data)


def test_sitemap_lists_exactly_the_listed_sites_in_every_language(client, site, make_site):
    draft = make_site("Chùa Nháp", state="draft")
    review = make_site("Chùa Duyệt", state="in_review")
    archived = make_site("Đền Cũ", state="archived")
    root = _sitemap(client)
    locs = [loc.text for loc in root.findall("s:url/s:loc", NS)]
    langs = ("vi", "en", "zh", "ko")
    lists = [f"{BASE}/{lang}/" for lang in langs] + [f"{BASE}/{lang}/trails" for lang in langs]
    expected = lists + [f"{BASE}/{lang}/sites/{site.slug}" for lang in langs]
    assert sorted(locs) == sorted(expected)
    for other in (draft, review, archived):
        assert other.slug not in client.get("/sitemap.xml").get_data(as_text=True)
    entry = next(
        u for u in root.findall("s:url", NS) if u.find("s:loc", NS).text.endswith(f"/zh/sites/{site.slug}")
    )
    alternates = {a.get("hreflang"): a.get("href") for a in entry.findall("x:link", NS)}
    assert alternates == {
        **{lang: f"{BASE}/{lang}/sites/{site.slug}" for lang in langs},
        "x-default": f"{BASE}/vi/sites/{site.slug}",
    }
    assert entry.find("s:lastmod", NS).text.startswith(str(site.updated_at.year))


def test_sitemap_becomes_an_index_over_the_limit(client, site, make_site, monkeypatch):
    make_site("Đền Thứ Hai")
    monkeypatch.setattr(seo, "SITEMAP_MAX_URLS", 5)  # 16 URLs: two lists and two sites, four languages
    index = _sitemap(client)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert parts == [f"{BASE}/sitemap-{n}.xml" for n in (1, 2, 3, 4)]
    pages = [_sitemap(client, p.removeprefix(BASE)) for p in parts]
    counts = [len(p.findall("s:url", NS)) for p in pages]
    assert counts == [5, 5, 5, 1]
    assert client.get("/sitemap-5.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404
    monkeypatch.setattr(seo, "SITEMAP_MAX_URLS", 50_000)
    assert client.get("/sitemap-1.xml").status_code == 404  # one file: the sitemap itself


def test_robots_names_the_sitemap(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE}/sitemap.xml" in body.splitlines()
