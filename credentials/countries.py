"""The 32 states of social security coordination (shared/domain.md "Scope").

EU 27, Iceland, Liechtenstein, Norway, Switzerland and the United Kingdom. Codes are ISO 3166-1
alpha-2, with two accepted spellings each for Greece (``EL`` as EESSI writes it, ``GR`` as ISO
does) and the United Kingdom (``UK`` as EU documents write it, ``GB`` as ISO does). Issued
claims keep the code as given; :func:`normalise` maps both spellings to the ISO form so that
comparisons (does the legislation country match the issuer's country?) are exact.
"""

from __future__ import annotations

__all__ = ["COUNTRIES", "is_iso_code", "is_supported", "language", "name", "normalise", "time_zone"]

# code -> (en, lv, de, fr, pl)
_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "AT": ("Austria", "Austrija", "Österreich", "Autriche", "Austria"),
    "BE": ("Belgium", "Beļģija", "Belgien", "Belgique", "Belgia"),
    "BG": ("Bulgaria", "Bulgārija", "Bulgarien", "Bulgarie", "Bułgaria"),
    "HR": ("Croatia", "Horvātija", "Kroatien", "Croatie", "Chorwacja"),
    "CY": ("Cyprus", "Kipra", "Zypern", "Chypre", "Cypr"),
    "CZ": ("Czechia", "Čehija", "Tschechien", "Tchéquie", "Czechy"),
    "DK": ("Denmark", "Dānija", "Dänemark", "Danemark", "Dania"),
    "EE": ("Estonia", "Igaunija", "Estland", "Estonie", "Estonia"),
    "FI": ("Finland", "Somija", "Finnland", "Finlande", "Finlandia"),
    "FR": ("France", "Francija", "Frankreich", "France", "Francja"),
    "DE": ("Germany", "Vācija", "Deutschland", "Allemagne", "Niemcy"),
    "GR": ("Greece", "Grieķija", "Griechenland", "Grèce", "Grecja"),
    "HU": ("Hungary", "Ungārija", "Ungarn", "Hongrie", "Węgry"),
    "IE": ("Ireland", "Īrija", "Irland", "Irlande", "Irlandia"),
    "IT": ("Italy", "Itālija", "Italien", "Italie", "Włochy"),
    "LV": ("Latvia", "Latvija", "Lettland", "Lettonie", "Łotwa"),
    "LT": ("Lithuania", "Lietuva", "Litauen", "Lituanie", "Litwa"),
    "LU": ("Luxembourg", "Luksemburga", "Luxemburg", "Luxembourg", "Luksemburg"),
    "MT": ("Malta", "Malta", "Malta", "Malte", "Malta"),
    "NL": ("Netherlands", "Nīderlande", "Niederlande", "Pays-Bas", "Niderlandy"),
    "PL": ("Poland", "Polija", "Polen", "Pologne", "Polska"),
    "PT": ("Portugal", "Portugāle", "Portugal", "Portugal", "Portugalia"),
    "RO": ("Romania", "Rumānija", "Rumänien", "Roumanie", "Rumunia"),
    "SK": ("Slovakia", "Slovākija", "Slowakei", "Slovaquie", "Słowacja"),
    "SI": ("Slovenia", "Slovēnija", "Slowenien", "Slovénie", "Słowenia"),
    "ES": ("Spain", "Spānija", "Spanien", "Espagne", "Hiszpania"),
    "SE": ("Sweden", "Zviedrija", "Schweden", "Suède", "Szwecja"),
    "IS": ("Iceland", "Islande", "Island", "Islande", "Islandia"),
    "LI": ("Liechtenstein", "Lihtenšteina", "Liechtenstein", "Liechtenstein", "Liechtenstein"),
    "NO": ("Norway", "Norvēģija", "Norwegen", "Norvège", "Norwegia"),
    "CH": ("Switzerland", "Šveice", "Schweiz", "Suisse", "Szwajcaria"),
    "GB": ("United Kingdom", "Apvienotā Karaliste", "Vereinigtes Königreich", "Royaume-Uni", "Wielka Brytania"),
}
_ALIASES = {"EL": "GR", "UK": "GB"}
#: The language (BCP 47) an institution of the state most likely writes its own name in: the
#: ``locale`` of its native name in metadata (OpenID4VCI §12.2.4), which is a language, never a
#: country code ("at" or "se" are no languages). Multilingual states get their most used one.
_LANGUAGES = {
    "AT": "de", "BE": "nl", "BG": "bg", "HR": "hr", "CY": "el", "CZ": "cs", "DK": "da", "EE": "et", "FI": "fi",
    "FR": "fr", "DE": "de", "GR": "el", "HU": "hu", "IE": "en", "IT": "it", "LV": "lv", "LT": "lt", "LU": "fr",
    "MT": "mt", "NL": "nl", "PL": "pl", "PT": "pt", "RO": "ro", "SK": "sk", "SI": "sl", "ES": "es", "SE": "sv",
    "IS": "is", "LI": "de", "NO": "nb", "CH": "de", "GB": "en",
}
_LANG_INDEX = {"en": 0, "lv": 1, "de": 2, "fr": 3, "pl": 4}
#: The IANA time zone of the state's capital: where "today" is for an inspection in that state.
_ZONES = {
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "HR": "Europe/Zagreb",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki", "FR": "Europe/Paris", "DE": "Europe/Berlin", "GR": "Europe/Athens",
    "HU": "Europe/Budapest", "IE": "Europe/Dublin", "IT": "Europe/Rome", "LV": "Europe/Riga",
    "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "MT": "Europe/Malta", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest", "SK": "Europe/Bratislava",
    "SI": "Europe/Ljubljana", "ES": "Europe/Madrid", "SE": "Europe/Stockholm", "IS": "Atlantic/Reykjavik",
    "LI": "Europe/Vaduz", "NO": "Europe/Oslo", "CH": "Europe/Zurich", "GB": "Europe/London",
}

#: Every officially assigned ISO 3166-1 alpha-2 code, and XK (Kosovo, user-assigned, as the EU and
#: its member states write it): a worker's nationality or birthplace may be any state, though only
#: the 32 above coordinate social security (Regulation 1231/2010 extends it to third-country nationals).
_ISO_3166 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
""".split())

#: ISO code -> {language: name}
COUNTRIES: dict[str, dict[str, str]] = {
    code: dict(zip(_LANG_INDEX, names, strict=True)) for code, names in _NAMES.items()
}


def normalise(code: str) -> str:
    """The ISO 3166-1 form: EL -> GR, UK -> GB; other codes unchanged."""
    return _ALIASES.get(code, code)


def is_supported(code: object) -> bool:
    """One of the 32 states of social security coordination (EL and UK spellings included)."""
    return isinstance(code, str) and normalise(code) in _NAMES


def is_iso_code(code: object) -> bool:
    """Any state's ISO 3166-1 alpha-2 code (EL and UK spellings included): for nationalities and
    places of birth, which need not be coordination states."""
    return isinstance(code, str) and normalise(code) in _ISO_3166


def name(code: str, lang: str = "en") -> str:
    """The country's name in ``lang`` (English when the language is not one of ours). A code in lower
    case (``lv``), which the claim rules read as ``LV`` (:func:`credentials.claims.country`), is named
    as that state: a verifier shows another issuer's claims as they came."""
    names = COUNTRIES.get(normalise(code.upper())) if isinstance(code, str) else None
    if names is None:
        return code
    return names.get(lang, names["en"])


def language(code: str) -> str:
    """The main language of the state (BCP 47 primary tag), e.g. ``AT`` -> ``de``, ``EL`` -> ``el``."""
    return _LANGUAGES[normalise(code)]


def time_zone(code: str) -> str:
    """The state's (capital's) IANA time zone, e.g. ``LV`` -> ``Europe/Riga``: an inspectorate's
    default for the local date its inspections are judged on (domain.md "Three validity layers")."""
    return _ZONES[normalise(code)]
