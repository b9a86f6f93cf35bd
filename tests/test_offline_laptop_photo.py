"""Reviewer R5 (offline laptop): the inspector photographs the worker's offline QR code and checks the photo a little
later (a laptop without a camera: the photo comes from the inspector's phone). The reason on the
Latvian page must say what happened (the code is older than a minute: ask for a fresh one), not
accuse the worker of showing a document from another phone (reason.key_binding.failed)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from offline_laptop_site import Site, prepared_site

from credentials import i18n


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path, with_withdrawn=False) as s:
        yield s


def test_a_photo_checked_90_seconds_later_is_not_called_another_phones_document_in_latvian(site: Site) -> None:
    old = site.qr(at=datetime.now(UTC) - timedelta(seconds=90))
    page = site.page(old, lang="lv")
    assert i18n.t("verifier.reason.key_binding.failed", "lv") not in page, page[:500]
