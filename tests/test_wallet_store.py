"""The wallet's encrypted store: round trip, wrong passphrase, atomic writes, no plaintext at rest."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import wallet.store as store_mod
from credentials.jose import b64url_decode, b64url_encode
from wallet.errors import (
    WalletCorruptError,
    WalletExistsError,
    WalletLockedError,
    WalletNotFoundError,
    WrongPassphraseError,
)
from wallet.keys import key_to_pem, load_key, new_key, thumbprint
from wallet.store import ScryptParams, WalletStore

FAST = ScryptParams(n=2**4)  # test cost only; the default is 2**15


def _new(tmp_path: Path, passphrase: str = "correct horse") -> WalletStore:  # noqa: S107
    return WalletStore.create(tmp_path / "wallet" / "wallet.enc", passphrase, params=FAST)


def test_round_trip_keeps_the_document(tmp_path: Path) -> None:
    store = _new(tmp_path)
    with store.transaction() as doc:
        doc["credentials"].append({"id": "c1", "claims": {"given_name": "Anna"}})
    again = WalletStore.open(store.path, "correct horse")
    assert again.read()["credentials"] == [{"id": "c1", "claims": {"given_name": "Anna"}}]


def test_nothing_is_readable_without_the_passphrase(tmp_path: Path) -> None:
    store = _new(tmp_path)
    key = new_key()
    with store.transaction() as doc:
        doc["credentials"].append({"given_name": "Anna-Marija", "private_key": key_to_pem(key)})
    raw = store.path.read_bytes()
    assert b"Anna-Marija" not in raw and b"PRIVATE KEY" not in raw
    header = json.loads(raw)
    assert set(header) == {"format", "version", "kdf", "enc", "nonce", "ciphertext"}
    assert header["kdf"]["alg"] == "scrypt" and header["enc"] == "A256GCM"


def test_file_is_private_to_the_user(tmp_path: Path) -> None:
    store = _new(tmp_path)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_wrong_passphrase_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    store = _new(tmp_path)
    with store.transaction() as doc:
        doc["log"].append({"outcome": "shared"})
    before = store.path.read_bytes()
    with pytest.raises(WrongPassphraseError) as info:
        WalletStore.open(store.path, "wrong horse")
    assert info.value.code == "wrong_passphrase"
    assert "passphrase" in info.value.message.lower()
    assert store.path.read_bytes() == before
    assert WalletStore.open(store.path, "correct horse").read()["log"] == [{"outcome": "shared"}]


def test_crash_mid_write_leaves_the_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _new(tmp_path)
    with store.transaction() as doc:
        doc["credentials"].append({"id": "kept"})
    before = store.path.read_bytes()

    def half_then_crash(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError("disk pulled out")

    monkeypatch.setattr(store_mod, "_write_all", half_then_crash)
    with pytest.raises(OSError, match="disk pulled out"), store.transaction() as doc:
        doc["credentials"].append({"id": "lost"})
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert [c["id"] for c in WalletStore.open(store.path, "correct horse").read()["credentials"]] == ["kept"]
    assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_failed_rename_leaves_the_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _new(tmp_path)
    before = store.path.read_bytes()

    def no_replace(src: object, dst: object) -> None:
        raise OSError("power cut before rename")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(OSError), store.transaction() as doc:
        doc["log"].append({"outcome": "shared"})
    monkeypatch.undo()
    assert store.path.read_bytes() == before


def test_exception_inside_a_transaction_writes_nothing(tmp_path: Path) -> None:
    store = _new(tmp_path)
    before = store.path.read_bytes()
    with pytest.raises(RuntimeError), store.transaction() as doc:
        doc["credentials"].append({"id": "half"})
        raise RuntimeError("verification failed")
    assert store.path.read_bytes() == before


def test_altered_kdf_parameters_are_rejected(tmp_path: Path) -> None:
    store = _new(tmp_path)
    header = json.loads(store.path.read_bytes())
    header["kdf"]["n"] = 2  # an attacker lowering the cost must not get a readable wallet
    store.path.write_text(json.dumps(header))
    with pytest.raises(WrongPassphraseError):
        WalletStore.open(store.path, "correct horse")


def test_altered_ciphertext_is_rejected(tmp_path: Path) -> None:
    store = _new(tmp_path)
    header = json.loads(store.path.read_bytes())
    blob = bytearray(b64url_decode(header["ciphertext"]))
    blob[0] ^= 1
    header["ciphertext"] = b64url_encode(bytes(blob))
    store.path.write_text(json.dumps(header))
    with pytest.raises(WrongPassphraseError):
        WalletStore.open(store.path, "correct horse")


def test_a_header_asking_scrypt_for_gigabytes_is_damaged_not_obeyed(tmp_path: Path) -> None:
    """The KDF parameters are read before the passphrase is proven: a planted header with n=2**22,
    r=32 (16 GiB) is refused as damaged, never derived."""
    store = _new(tmp_path)
    header = json.loads(store.path.read_bytes())
    header["kdf"].update(n=2**22, r=32)
    store.path.write_text(json.dumps(header))
    with pytest.raises(WalletCorruptError):
        WalletStore.open(store.path, "correct horse")


def test_not_a_wallet_file_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "wallet.enc"
    path.write_text("hello")
    with pytest.raises(WalletCorruptError):
        WalletStore.open(path, "x")


def test_missing_wallet_says_so(tmp_path: Path) -> None:
    with pytest.raises(WalletNotFoundError):
        WalletStore.open(tmp_path / "none.enc", "x")


def test_create_refuses_to_overwrite_an_existing_wallet(tmp_path: Path) -> None:
    store = _new(tmp_path)
    before = store.path.read_bytes()
    with pytest.raises(WalletExistsError):
        WalletStore.create(store.path, "other", params=FAST)
    assert store.path.read_bytes() == before


def test_change_passphrase_re_encrypts(tmp_path: Path) -> None:
    store = _new(tmp_path)
    with store.transaction() as doc:
        doc["prefs"]["lang"] = "lv"
    store.change_passphrase("new secret")
    with pytest.raises(WrongPassphraseError):
        WalletStore.open(store.path, "correct horse")
    assert WalletStore.open(store.path, "new secret").read()["prefs"] == {"lang": "lv"}


def test_a_re_created_wallet_locks_old_sessions(tmp_path: Path) -> None:
    store = _new(tmp_path)
    store.path.unlink()
    WalletStore.create(store.path, "someone else", params=FAST)
    with pytest.raises(WalletLockedError):
        store.read()


def test_every_write_uses_a_fresh_nonce(tmp_path: Path) -> None:
    store = _new(tmp_path)
    nonces = set()
    for _ in range(3):
        with store.transaction():
            pass
        nonces.add(json.loads(store.path.read_bytes())["nonce"])
    assert len(nonces) == 3


def test_default_cost_is_scrypt_n_2_15() -> None:
    assert ScryptParams() == ScryptParams(n=2**15, r=8, p=1)
    with pytest.raises(ValueError):
        ScryptParams(n=1000)


def test_holder_key_survives_the_store(tmp_path: Path) -> None:
    key = new_key()
    store = _new(tmp_path)
    with store.transaction() as doc:
        doc["credentials"].append({"private_key": key_to_pem(key)})
    loaded = load_key(WalletStore.open(store.path, "correct horse").read()["credentials"][0]["private_key"])
    assert thumbprint(loaded) == thumbprint(key)


def test_a_wallet_written_with_the_standard_json_encoder_still_opens(tmp_path: Path) -> None:
    """Wallets written before the switch to orjson: the AAD is the header's compact JSON, so both
    encoders must give the same bytes for it, or every older wallet would look tampered with."""
    salt, nonce = os.urandom(16), os.urandom(12)
    kdf = {"alg": "scrypt", "n": FAST.n, "r": FAST.r, "p": FAST.p, "salt": b64url_encode(salt)}
    header = {"format": store_mod.FORMAT, "version": store_mod.VERSION, "kdf": kdf, "enc": "A256GCM"}
    stdlib = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    aad = stdlib.encode({k: header[k] for k in sorted(header)}).encode()
    doc = {"version": store_mod.VERSION, "credentials": [{"id": "c1", "claims": {"given_name": "Ānna"}}], "log": [],
           "prefs": {}}
    key = store_mod._derive("correct horse", salt, FAST)
    ciphertext = AESGCM(key).encrypt(nonce, stdlib.encode(doc).encode(), aad)
    path = tmp_path / "wallet.enc"
    path.write_bytes(stdlib.encode({**header, "nonce": b64url_encode(nonce),
                                    "ciphertext": b64url_encode(ciphertext)}).encode())
    assert WalletStore.open(path, "correct horse").read()["credentials"] == doc["credentials"]
