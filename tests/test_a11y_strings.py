"""The words the accessibility fixes added (names of pictures, fields, navigation and outcomes) exist
in all five languages, like every other string of the pages: a screen reader speaks the page's language."""

from __future__ import annotations

import pytest

from credentials import i18n

#: The checks of the inspector's pipeline (credentials.verification), each named on the result screen.
_STEP_CODES = ("disclosures", "issuer_signature", "issuer_chain", "issuer_authorised", "key_binding",
               "token_validity", "document_validity", "coverage_period", "status", "query", "holder_link")
#: prefix in credentials.i18n -> the keys added for text alternatives, labels and outcomes in words
ADDED = {
    "wallet": ("nav.language", "nav.sections", "claim.photo", "card.offline_qr_alt"),
    "verifier": ("language", "page.waiting", "qr_label", "link_label", "photo_of", "check.passed", "check.failed",
                 "check.not_run", "offline.read", "offline.unread",
                 # the inspector's pages in the page's language: checks, errors, unknown checks, the same device
                 *(f"step.{code}" for code in _STEP_CODES), *(f"step_passed.{code}" for code in _STEP_CODES),
                 *(f"offline.error.{key}" for key in ("nothing", "empty", "too_large", "not_picture", "no_qr",
                                                       "several_qr", "not_offline_qr", "challenge",
                                                       "no_status_lists", "no_trust_list", "other")),
                 "document_number", "unknown_check", "start_new", "error.already_shown",
                 "start.same_device_help", "same_device.for"),
    "registry": ("language",),
    "office": ("skip",),
    "authorize": ("error_prefix",),
}


def _tables() -> dict[str, dict[str, tuple[str, str, str, str, str]]]:
    from issuer import authorize, office
    from trust_registry import messages as registry
    from verifier import messages as verifier
    from wallet import messages as wallet

    return {"wallet": wallet._T, "verifier": verifier._T, "registry": registry._T, "office": office._T,
            "authorize": authorize._T}


@pytest.mark.parametrize("prefix", sorted(ADDED))
def test_page_words_exist_in_all_five_languages(prefix: str) -> None:
    table = _tables()[prefix]
    for key, texts in table.items():
        assert len(texts) == len(i18n.LANGUAGES) and all(text.strip() for text in texts), (prefix, key)
    for key in ADDED[prefix]:
        texts = table[key]
        assert texts[1] != texts[0], (prefix, key)  # Latvian is not English
        for lang, text in zip(i18n.LANGUAGES, texts, strict=True):
            assert i18n.t(f"{prefix}.{key}", lang, name="N") == text.replace("{name}", "N"), (prefix, key, lang)
