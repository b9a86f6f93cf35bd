"""``esspass wallet ...`` from a terminal: init, wrong passphrase, empty list and log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from credentials.i18n import colon, format_date
from wallet.cli import main as wallet_main


def main(argv: list[str]) -> int:
    assert argv[0] == "wallet"
    return wallet_main(argv[1:])


@pytest.fixture
def wallet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "correct horse battery")
    return tmp_path / "wallet" / "wallet.enc"


def test_init_creates_an_encrypted_wallet(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    assert wallet_env.exists()
    assert main(["wallet", "list"]) == 0
    assert "No documents yet" in capsys.readouterr().out


def test_init_twice_keeps_the_first_wallet(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    before = wallet_env.read_bytes()
    assert main(["wallet", "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert wallet_env.read_bytes() == before


def test_wrong_passphrase_is_reported_in_plain_words(
    wallet_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wallet", "init"]) == 0
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "wrong")
    assert main(["wallet", "--lang", "lv", "log"]) == 1
    assert "Nepareiza parole" in capsys.readouterr().err


def test_empty_log_in_german(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    assert main(["wallet", "--lang", "de", "log"]) == 0
    assert "Noch nichts vorgezeigt." in capsys.readouterr().out


def test_serve_refuses_a_non_loopback_address(wallet_env: Path) -> None:
    assert main(["wallet", "serve", "--host", "0.0.0.0"]) == 2  # noqa: S104 - the refused case


# --- what a terminal shows of the documents held (no network: list and show read the store) ----------


def _hold(wallet: Path, vct: str, claims: dict[str, Any], *, group: str, issuer: str = "LV:VSAA") -> None:
    """A document in the wallet as received (its claims as verified; the text is not read by list or show)."""
    from datetime import UTC, datetime

    from wallet.model import StoredCredential
    from wallet.store import WalletStore

    store = WalletStore.open(wallet, "correct horse battery")
    now = int(datetime.now(UTC).timestamp())
    with store.transaction() as doc:
        doc["credentials"].append(StoredCredential(
            id=f"{group}-0", group=group, format="dc+sd-jwt", vct=vct, credential="~", private_key="",
            issuer_url="https://issuer.example/x", issuer_id=issuer, issuer_name="Institution",
            configuration_id="x", received_at=datetime.now(UTC).isoformat(), claims=claims, iat=now,
            exp=now + 86400).to_dict())


def test_a_document_whose_own_period_ended_is_listed_and_shown_as_ended(
        wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its token may still be good (the issuer sets exp to the last day's end anywhere on earth) and its
    status list says nothing of it: the wallet goes by the document's own dates."""
    from datetime import UTC, datetime, timedelta

    from credentials import pda1
    from credentials.demo_persons import DEMO_PERSONS

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    claims = {**DEMO_PERSONS[0].pda1, "starting_date": (yesterday - timedelta(days=60)).isoformat(),
              "ending_date": yesterday.isoformat()}
    assert main(["wallet", "init"]) == 0
    _hold(wallet_env, pda1.VCT, claims, group="a1")
    assert main(["wallet", "list"]) == 0
    listed = capsys.readouterr().out
    # An A1 is the proof of its period once that has ended too (987/2009 Art. 5(1)): "covers ... (ended)".
    assert "(ended)" in listed and "Valid" not in listed
    assert main(["wallet", "show", "a1"]) == 0
    shown = capsys.readouterr().out
    assert "Status: Covers " in shown and "(ended)" in shown
    assert f"Valid until: {yesterday.day} " in shown


def test_show_names_every_claim_and_prints_a_picture_as_its_size(
        wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A ZUS A1 of a worker without a fixed place of work (DC4EU v1.1 ``work_information``, labelled
    by the type metadata as the places of work); a PID's nationality as the country's name, its portrait
    not as base64."""
    from credentials import pda1, pid
    from credentials.demo_persons import DEMO_PERSONS, portrait

    zus = DEMO_PERSONS[1]
    assert zus.pda1["work_information"] == {"no_fixed_place_of_work": "DE"}  # the premise
    assert main(["wallet", "init"]) == 0
    _hold(wallet_env, pda1.VCT, zus.pda1, group="zus", issuer="PL:ZUS")
    _hold(wallet_env, pid.VCT, {**zus.pid, "picture": portrait(zus)}, group="pid", issuer="PL:PID")
    assert main(["wallet", "show", "zus"]) == 0
    shown = capsys.readouterr().out
    assert "Places of work: No fixed place of work: Germany" in shown and "work information" not in shown
    assert main(["wallet", "--lang", "de", "show", "pid"]) == 0
    shown = capsys.readouterr().out
    assert "Staatsangehörigkeit: Polen" in shown
    assert "data:image" not in shown and "(Bild, " in shown and max(len(line) for line in shown.splitlines()) < 300


def test_a_latvian_sentence_ends_with_one_full_stop(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from credentials import ehic
    from credentials.demo_persons import DEMO_PERSONS

    assert main(["wallet", "init"]) == 0
    _hold(wallet_env, ehic.VCT, DEMO_PERSONS[0].ehic, group="ehic", issuer="LV:NVD")
    assert main(["wallet", "--lang", "lv", "show", "ehic"]) == 0
    shown = capsys.readouterr().out
    # The demo card's expiry is counted from today: its date, not a fixed one (the test failed on 1 December).
    until = format_date(DEMO_PERSONS[0].ehic["date_of_expiry"], "lv")
    assert until.endswith(".") and f"derīga līdz {until}" in shown and f"{until}." not in shown


# --- a new wallet's passphrase -------------------------------------------------------------------------


@pytest.mark.parametrize("passphrase", ["a", "short12"])
def test_init_refuses_a_passphrase_shorter_than_eight_characters(
        wallet_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        passphrase: str) -> None:
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", passphrase)
    assert main(["wallet", "init"]) == 1
    said = capsys.readouterr().err
    assert "at least 8 characters" in said and "Wrong passphrase" not in said
    assert not wallet_env.exists()


def test_init_refuses_an_empty_passphrase_without_calling_it_wrong(
        wallet_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert main(["wallet", "--passphrase-file", str(empty), "--lang", "pl", "init"]) == 1
    said = capsys.readouterr().err
    assert "co najmniej 8 znaków" in said and "Błędne hasło" not in said
    assert not wallet_env.exists()


def test_init_says_the_wallet_was_created(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    assert capsys.readouterr().out.strip() == f"Wallet created: {wallet_env}"


# --- every word in five languages ------------------------------------------------------------------------

#: Texts that are the same word in another language ("Status", "Link", "Foto"...).
SAME_IN = {("card.status", "de"), ("card.status", "pl"), ("field.link", "de"), ("field.link", "pl"),
           ("field.passphrase", "de"), ("claim.photo", "fr"), ("claim.photo", "de"), ("claim.photo", "lv")}


def test_every_wallet_text_is_in_five_languages() -> None:
    from wallet import messages

    assert messages.LANGUAGES == ("en", "lv", "de", "fr", "pl")
    for table in (messages.STRINGS, messages.MESSAGES):
        for key, texts in table.items():
            assert set(texts) == set(messages.LANGUAGES) and all(texts.values()), key
            for lang in messages.LANGUAGES[1:]:
                if len(texts["en"]) > 12 and (key, lang) not in SAME_IN:
                    assert texts[lang] != texts["en"], (key, lang)
                # The same placeholders in every language: none lost, none left in English.
                assert sorted(re.findall(r"{\w+}", texts[lang])) == sorted(re.findall(r"{\w+}", texts["en"])), (
                    key, lang)


def test_every_failure_the_wallet_words_itself_is_said_whole_in_each_language() -> None:
    """The messages the wallet's own errors carry (found in its source) have their words in five
    languages: nothing of them is left in English after a translated sentence."""
    from wallet import messages

    root = Path(__file__).resolve().parent.parent / "wallet"
    raised = set()
    for source in root.glob("*.py"):
        text = source.read_text("utf-8")
        for call in re.finditer(r"raise (?:NotFoundError|Wallet\w*Error|WrongPassphraseError)\(\s*((?:\"[^\"]*\"\s*)+)",
                                text):
            raised.add("".join(re.findall(r"\"([^\"]*)\"", call.group(1))))
    from wallet import service

    raised |= {service.SHOWING_OVER, service.REMOVED_REQUEST, service.REMOVED_SHOWING, service.RENEWED_REQUEST,
               service.RENEWED_SHOWING,  # why a request or a showing was closed (WalletService._close_open)
               "This file is not a picture that can be read.",
               "No QR code could be read in the picture. Try a sharper, closer photo."}
    missing = sorted(m for m in raised if m not in messages.MESSAGES)
    assert not missing, missing
    for message in raised:
        for lang in messages.LANGUAGES[1:]:
            said = messages.explain("not_found", message, lang)
            assert "(" not in said or "esspass wallet init" in said or "(" in messages.MESSAGES[message]["en"], said


@pytest.mark.parametrize(("message", "lang", "expected"), [
    ("Asking the issuer for access: wrong transaction code (4 attempts left)", "lv",
     "Kods ir nepareizs. Atlikušie mēģinājumi: 4."),
    ("Asking the issuer for access: wrong transaction code; the offer is now locked", "de",
     "Der Code ist falsch; nach zu vielen falschen Codes ist das Angebot jetzt gesperrt. Bitten Sie die Stelle um "
     "ein neues Angebot."),
    ("Fetching the offer: this credential offer is unknown, used or expired", "fr",
     "L'organisme ne connaît pas cette offre, ou elle a déjà été utilisée ou a expiré. Demandez une nouvelle offre "
     "à l'organisme."),
    ("Fetching the request: this request has expired or was already answered", "pl",
     "Ta prośba wygasła lub już na nią odpowiedziano. Poproś inspektora o nową."),
    ("There is no such document in this wallet.", "lv", "Šajā makā nav tāda dokumenta."),
    ("This file is not a picture that can be read.", "de", "Diese Datei ist kein lesbares Bild."),
])
def test_what_an_institution_or_inspector_answered_is_said_in_the_workers_language(
        message: str, lang: str, expected: str) -> None:
    from wallet.messages import explain

    assert explain("invalid_grant", message, lang) == expected


@pytest.mark.parametrize("lang", ["lv", "de", "fr", "pl"])
def test_a_detail_only_in_english_is_said_to_be_english_in_the_other_languages(lang: str) -> None:
    """A server's own words the wallet does not know follow its sentence in the worker's language, marked
    as a technical detail in English (not passed off as the worker's language); in English, as they are."""
    from wallet.messages import explain, t

    detail = "the frobnication of the widget failed"
    said = explain("invalid_grant", detail, lang)
    assert said.startswith(t("explain.invalid_grant", lang)), said
    assert said.endswith(f"({t('detail_in_english', lang)}{colon(lang)} {detail})"), said
    assert explain("invalid_grant", detail, "en") == f"{t('explain.invalid_grant', 'en')} ({detail})"


def test_a_question_with_no_terminal_to_answer_it_says_how_and_exits_1(
        wallet_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """README: with no terminal the wallet says so and exits 1 (as for the passphrase), never input()'s
    EOFError traceback (a script's ``present`` without --yes or --no, ``receive`` without --tx-code)."""
    import io

    from credentials import ehic
    from credentials.demo_persons import DEMO_PERSONS

    assert main(["wallet", "init"]) == 0
    _hold(wallet_env, ehic.VCT, DEMO_PERSONS[0].ehic, group="ehic", issuer="LV:NVD")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as refused:
        main(["wallet", "delete", "ehic"])
    assert refused.value.code == "No terminal to ask on: confirm with --yes"
    assert main(["wallet", "list"]) == 0 and "ehic" in capsys.readouterr().out  # nothing was deleted


def test_a_polish_sentence_agrees_with_any_institution() -> None:
    """"Zakład Ubezpieczeń Społecznych" is masculine: the verb agrees with "Instytucja" before its name."""
    from wallet.messages import pending_message

    zus = "Zakład Ubezpieczeń Społecznych"
    for outcome in ("pending", "received", "refused"):
        said = pending_message(outcome, zus, ["A1"], "", "pl")
        assert said.startswith(f"Instytucja {zus} "), said


def test_a_provisional_replacement_certificate_is_titled_as_one_not_as_a_card(
        wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Decision S2: a PRC is a certificate with a period of its own (an EHIC with starting and ending
    dates, domain.md), not the card; the wallet names it so, as the paper copy and the verifier do."""
    from datetime import date, timedelta

    from credentials import ehic
    from credentials.demo_persons import DEMO_PERSONS

    today = date.today()
    card = {k: v for k, v in DEMO_PERSONS[0].ehic.items() if k != "date_of_expiry"}
    prc = {**card, "starting_date": today.isoformat(), "ending_date": (today + timedelta(days=30)).isoformat(),
           "date_of_expiry": (today + timedelta(days=30)).isoformat()}
    assert ehic.is_prc(prc) and not ehic.is_prc(DEMO_PERSONS[0].ehic)  # the premise
    assert main(["wallet", "init"]) == 0
    _hold(wallet_env, ehic.VCT, prc, group="prc", issuer="LV:NVD")
    _hold(wallet_env, ehic.VCT, DEMO_PERSONS[0].ehic, group="card", issuer="LV:NVD")
    assert main(["wallet", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Provisional Replacement Certificate of the European Health Insurance Card" in listed, listed
    assert listed.count("Provisional Replacement Certificate") == 1  # the card keeps its own name
