"""Digital Credentials Query Language, OpenID4VP 1.0 §6 (standards.md §5.3), both sides.

* the wallet: :func:`match` picks, for each credential query, a held credential and the claim
  paths to disclose (§6.4: ``vct_values``, ``trusted_authorities`` of type ``aki`` (HAIP §5),
  ``claims``, first satisfiable ``claim_sets`` option, every required ``credential_sets`` entry,
  nothing if a required credential is missing); :func:`answering_options` lists every option a held
  credential answers, for a holder who leaves out what only some of them ask;
* everybody: :func:`validate` refuses malformed queries, :func:`requested_claims` says which
  top-level claims a query asks of which type (what the verifiers trusted list must allow), and
  :func:`within_registration` leaves out the optional ones a verifier is not registered for;
* the verifier: :func:`check_verifiable` refuses a query it could not check (a format it does not
  verify, holder binding waived); :func:`check_response` says whether the presentations received (every
  one of them, ``multiple`` included) satisfy the query and that nothing beyond it was disclosed (§8.6:
  "the Verifier MUST NOT rely on the Wallet"), and which optional credential sets were left unanswered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from cryptography.x509 import AuthorityKeyIdentifier, Certificate, ExtensionNotFound

from credentials.errors import ClaimError, ProtocolError
from credentials.jose import b64url_encode
from credentials.mdoc import DOCTYPE_VCT

__all__ = ["MDOC_FORMAT", "SD_JWT_FORMATS", "DcqlMatch", "HeldCredential", "Presented", "answering_options",
           "authority_key_ids",
           "check_response", "check_verifiable", "match", "requested_claims", "types_of", "validate", "values_at",
           "within_registration"]

ClaimPath = tuple[str | int | None, ...]
SD_JWT_FORMATS = ("dc+sd-jwt", "vc+sd-jwt")
MDOC_FORMAT = "mso_mdoc"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # §6.1, §6.3: ids of credential queries and claims queries
MAX_QUERIES = 16
MAX_CLAIMS = 64
#: Longest claims path pointer (§7); our credentials nest three or four levels.
MAX_PATH_LENGTH = 16
#: Largest array index in a claims path pointer: beyond any credential's arrays, within every
#: encoder the query passes through (orjson stops at 64 bits and would fail after validation).
MAX_PATH_INDEX = 2**31 - 1
#: Deepest nesting of the whole query (a path inside a claim inside a credential query is 5).
MAX_QUERY_DEPTH = 16
#: Integers anywhere in the query (a claim's ``values``, a member we do not read): I-JSON's
#: interoperable range (RFC 7493 §2.2), so the query can be stored and signed into a request.
MAX_SAFE_INT = 2**53 - 1


def _bad(description: str) -> ProtocolError:
    return ProtocolError("invalid_request", description)


def _is_id(value: Any) -> TypeGuard[str]:
    """A DCQL id: a string (checked first, so an array or object is refused, never hashed) of
    alphanumerics, ``_`` and ``-`` (§6.1 ``id``, §6.3 ``id``)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PATH_INDEX


def _is_path(path: Any) -> bool:
    """A claims path pointer (§7): a non-empty array of strings, ``null`` and non-negative integers."""
    return isinstance(path, list) and 0 < len(path) <= MAX_PATH_LENGTH and all(
        p is None or isinstance(p, str) or _is_index(p) for p in path)


def _check_values(query: dict[str, Any]) -> None:
    """Nesting and numbers of the whole query, members we do not read included: the query is
    stored, signed into the Request Object and sent back in the verdict, and an integer beyond
    64 bits or a deep structure would fail there, after it was accepted. Iterative, so that depth
    is measured without recursing into it."""
    level: list[Any] = [query]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_QUERY_DEPTH:
            raise _bad(f"the DCQL query is nested deeper than {MAX_QUERY_DEPTH} levels")
        below: list[Any] = []
        for node in level:
            for value in node.values() if isinstance(node, dict) else node:
                if isinstance(value, dict | list):
                    below.append(value)
                elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INT:
                    raise _bad("the DCQL query holds an integer outside the interoperable range (RFC 7493)")
        level = below


def _check_trusted_authorities(authorities: Any) -> None:
    """§6.1.1: ``trusted_authorities`` is a non-empty array of ``{"type": str, "values": [str, ...]}``."""
    if authorities is None:
        return
    if not isinstance(authorities, list) or not authorities or len(authorities) > MAX_CLAIMS or not all(
            isinstance(a, dict) and isinstance(a.get("type"), str) and isinstance(a.get("values"), list)
            and 0 < len(a["values"]) <= MAX_CLAIMS and all(isinstance(v, str) for v in a["values"])
            for a in authorities):
        raise _bad("DCQL trusted_authorities must be a non-empty array of {type, values: [strings]}")


def _check_claims(cq: dict[str, Any]) -> None:
    """§6.3 claims queries and §6.4.1 ``claim_sets`` of one credential query."""
    claims = cq.get("claims")
    claim_sets = cq.get("claim_sets")
    if claims is None:
        if claim_sets is not None:
            raise _bad("a DCQL claim_sets needs the claims it names")
        return
    if not isinstance(claims, list) or not claims or len(claims) > MAX_CLAIMS:
        raise _bad(f"DCQL claims must be a non-empty array of at most {MAX_CLAIMS}")
    claim_ids: set[str] = set()
    for claim in claims:
        if not isinstance(claim, dict) or not _is_path(claim.get("path")):
            raise _bad("a DCQL claims query needs a valid claims path pointer "
                       f"(strings, null and integers 0 to {MAX_PATH_INDEX}, at most {MAX_PATH_LENGTH} steps)")
        if cq["format"] == MDOC_FORMAT and not (
                len(claim["path"]) == 2 and all(isinstance(p, str) for p in claim["path"])):
            raise _bad("mso_mdoc claim paths are [namespace, element identifier]")
        claim_id = claim.get("id")
        if claim_id is not None or claim_sets is not None:  # §6.3: REQUIRED with claim_sets
            if not _is_id(claim_id):
                raise _bad("DCQL claim ids must match [A-Za-z0-9_-]{1,64}")
            if claim_id in claim_ids:
                raise _bad("DCQL claim ids must be unique within a credential query")
            claim_ids.add(claim_id)
        values = claim.get("values")
        if values is not None and (not isinstance(values, list) or not values or len(values) > MAX_CLAIMS
                                   or not all(isinstance(v, str | int) for v in values)):
            raise _bad("DCQL claim values must be a non-empty array of strings, integers or booleans")
        if not isinstance(claim.get("intent_to_retain", False), bool):  # App. B.2.4
            raise _bad("DCQL intent_to_retain must be true or false")
    if claim_sets is not None:
        if not isinstance(claim_sets, list) or not claim_sets or len(claim_sets) > MAX_CLAIMS or not all(
                isinstance(o, list) and 0 < len(o) <= MAX_CLAIMS and all(_is_id(i) and i in claim_ids for i in o)
                for o in claim_sets):
            raise _bad("a DCQL claim_set names an unknown claim id")


def validate(query: Any) -> dict[str, Any]:
    """Structural rules of §6.1-§6.4; returns the query. ProtocolError ``invalid_request`` otherwise.

    Every member is type-checked before it is used (an id is a string before it is looked up), so
    that any JSON value at all gets this error and nothing else.
    """
    if not isinstance(query, dict):
        raise _bad("dcql_query must be an object")
    _check_values(query)
    queries = query.get("credentials")
    if not isinstance(queries, list) or not queries or len(queries) > MAX_QUERIES:
        raise _bad(f"the DCQL query needs 1..{MAX_QUERIES} credential queries")
    ids: set[str] = set()
    for cq in queries:
        if not isinstance(cq, dict) or not _is_id(cq.get("id")):
            raise _bad("DCQL credential query ids must match [A-Za-z0-9_-]{1,64}")
        if cq["id"] in ids:
            raise _bad("DCQL credential query ids must be unique")
        ids.add(cq["id"])
        if not isinstance(cq.get("format"), str):
            raise _bad("a DCQL credential query needs a format")
        meta = cq.get("meta")
        if not isinstance(meta, dict):
            raise _bad("a DCQL credential query needs meta")
        if cq["format"] in SD_JWT_FORMATS:
            vcts = meta.get("vct_values")
            if not isinstance(vcts, list) or not vcts or not all(isinstance(v, str) for v in vcts):
                raise _bad("a DCQL query for dc+sd-jwt needs meta.vct_values")
        elif cq["format"] == MDOC_FORMAT and not isinstance(meta.get("doctype_value"), str):
            raise _bad("a DCQL query for mso_mdoc needs meta.doctype_value")
        for flag in ("multiple", "require_cryptographic_holder_binding"):  # §6.1: booleans
            if not isinstance(cq.get(flag, False), bool):
                raise _bad(f"DCQL {flag} must be true or false")
        _check_trusted_authorities(cq.get("trusted_authorities"))
        _check_claims(cq)
    sets = query.get("credential_sets")
    if sets is not None:
        if not isinstance(sets, list) or not sets or len(sets) > MAX_QUERIES:
            raise _bad(f"credential_sets must be a non-empty array of at most {MAX_QUERIES}")
        for cset in sets:
            options = cset.get("options") if isinstance(cset, dict) else None
            if not isinstance(options, list) or not options or len(options) > MAX_CLAIMS or not all(
                    isinstance(o, list) and 0 < len(o) <= MAX_QUERIES and all(_is_id(i) and i in ids for i in o)
                    for o in options):
                raise _bad("a DCQL credential_set option names an unknown credential query")
            if not isinstance(cset.get("required", True), bool):  # §6.2: a boolean, true when absent
                raise _bad("credential_sets required must be true or false")
    return query


def check_verifiable(query: Mapping[str, Any], *, formats: Collection[str]) -> None:
    """Verifier side: refuse (``invalid_request``) a valid query the verifier could not check.

    Every credential query must be for one of ``formats`` (those whose presentations the verifier
    verifies, §11.1 ``vp_formats_supported``) and must not waive holder binding: this verifier
    always requires a KB-JWT or an mdoc device signature bound to its nonce and client_id (§8.6,
    §14.1.2), so a query saying ``require_cryptographic_holder_binding: false`` would promise the
    wallet something the verification then refuses. ``query`` has passed :func:`validate`.
    """
    for cq in query["credentials"]:
        if cq["format"] not in formats:
            raise _bad(f"this verifier cannot verify presentations of format {str(cq['format'])[:40]!r} "
                       f"(it supports {', '.join(formats)})")
        if cq.get("require_cryptographic_holder_binding", True) is not True:
            raise _bad("this verifier always requires cryptographic holder binding "
                       "(require_cryptographic_holder_binding: false is not supported)")


def requested_claims(query: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """vct -> the top-level claim names any option of the query could ask for (an mdoc query
    counts for the vct of its doctype, its data elements as the claim names)."""
    out: dict[str, set[str]] = {}
    for cq in query.get("credentials", []):
        meta = cq.get("meta") or {}
        if cq.get("format") == MDOC_FORMAT:
            doctype = str(meta.get("doctype_value"))
            names = {str(c["path"][1]) for c in cq.get("claims") or []}
            out.setdefault(DOCTYPE_VCT.get(doctype, doctype), set()).update(names)
            continue
        names = {str(c["path"][0]) for c in cq.get("claims") or []}
        for vct in meta.get("vct_values") or []:
            out.setdefault(str(vct), set()).update(names)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def within_registration(query: Mapping[str, Any], allowed: Callable[[str], Collection[str] | None]) -> tuple[
        dict[str, Any], tuple[tuple[str, str], ...]]:
    """``query`` without the optional claims its verifier may not request, and those left out (credential
    query id, claim name). ``allowed``: the claim names the verifier's registration (the verifiers
    trusted list's ``may_request``) allows for a vct, None when it allows none of that type.

    A wallet refuses a request asking for any claim beyond the registration, optional or not
    (:func:`credentials.trust_list.authorised_verifier`; ARF: the registration is what a relying party
    may ask), so asking for more only loses the answer. A claim is optional when some ``claim_sets``
    option (§6.4.1) goes without it: every option naming a claim not allowed is dropped (the others
    keep their order: the wallet still answers with the first it can), and so is every claim no option
    left names. A claim every option needs, a query without ``claim_sets`` (all its claims needed) and
    a type not allowed at all are left as they are: the wallet refuses them, as it would have."""
    out = dict(query)
    credentials: list[Any] = []
    left_out: list[tuple[str, str]] = []
    for cq in query.get("credentials", []):
        sets = cq.get("claim_sets")
        if cq.get("format") == MDOC_FORMAT:
            doctype = str((cq.get("meta") or {}).get("doctype_value"))
            vcts, at = [DOCTYPE_VCT.get(doctype, doctype)], 1
        else:
            vcts, at = [str(v) for v in (cq.get("meta") or {}).get("vct_values") or []], 0
        registered = [names for names in map(allowed, vcts) if names is not None]
        claims = cq.get("claims") or []
        barred = {str(c.get("id")): str(c["path"][at]) for c in claims
                  if len(c.get("path", ())) > at and any(str(c["path"][at]) not in r for r in registered)}
        kept = [o for o in sets or [] if not set(o) & set(barred)]
        if not barred or not kept:
            credentials.append(cq)
            continue
        named = {i for o in kept for i in o}
        credentials.append({**cq, "claims": [c for c in claims if c.get("id") in named], "claim_sets": kept})
        left_out += [(str(cq.get("id")), name) for name in dict.fromkeys(barred.values())]
    out["credentials"] = credentials
    return out, tuple(left_out)


def types_of(cq: Mapping[str, Any]) -> tuple[str, ...]:
    """What a credential query accepts: its ``vct_values``, or its mdoc ``doctype_value``."""
    meta = cq.get("meta") or {}
    if cq.get("format") == MDOC_FORMAT:
        return (str(meta.get("doctype_value")),)
    return tuple(str(v) for v in meta.get("vct_values") or [])


@dataclass(frozen=True, slots=True)
class HeldCredential:
    key: str  # the caller's handle
    vct: str  # for an mdoc: the vct of the same document (its doctype maps to it, DOCTYPE_VCT)
    claims: Mapping[str, Any]  # for an mdoc: its namespace's elements
    disclosable: frozenset[ClaimPath]
    format: str = "dc+sd-jwt"
    #: §6.1.1.1 ``aki``: the AuthorityKeyIdentifiers of the certificates in the credential's chain
    #: (:func:`authority_key_ids`); None when the holder did not say, and then ``trusted_authorities``
    #: cannot rule the credential out.
    authority_key_ids: frozenset[str] | None = None


def authority_key_ids(chain: Sequence[Certificate]) -> frozenset[str]:
    """§6.1.1.1: base64url of the KeyIdentifier of the AuthorityKeyIdentifier extension of every
    certificate in ``chain`` (the x5c of an SD-JWT VC, the x5chain of an mdoc) that has one."""
    out: set[str] = set()
    for cert in chain:
        try:
            aki = cert.extensions.get_extension_for_class(AuthorityKeyIdentifier).value
        except ExtensionNotFound:
            continue
        if aki.key_identifier is not None:
            out.add(b64url_encode(aki.key_identifier))
    return frozenset(out)


def _trusted(cq: Mapping[str, Any], cred: HeldCredential) -> bool:
    """§6.1 ``trusted_authorities``: "Every Credential returned by the Wallet SHOULD match at least
    one" of them. Only ``aki`` can be judged here, and only with the credential's chain known; a
    type this wallet cannot evaluate (``etsi_tl``, ``openid_federation``) does not rule it out, the
    verifier checks the issuer's trust itself (§14.6)."""
    authorities = cq.get("trusted_authorities")
    if not authorities:
        return True
    for authority in authorities:
        if authority["type"] != "aki" or cred.authority_key_ids is None:
            return True
        if cred.authority_key_ids & set(authority["values"]):
            return True
    return False


@dataclass(frozen=True, slots=True)
class DcqlMatch:
    selection: dict[str, tuple[str, tuple[ClaimPath, ...]]]  # query id -> (credential key, paths)
    satisfiable: bool


def values_at(claims: Mapping[str, Any], path: Sequence[Any]) -> list[Any]:
    """The values a claims path pointer selects (OpenID4VP §7: ``None`` = every array element)."""
    values: list[Any] = [claims]
    for step in path:
        nxt: list[Any] = []
        for v in values:
            if step is None and isinstance(v, list):
                nxt.extend(v)
            elif isinstance(step, int) and not isinstance(step, bool) and isinstance(v, list) and 0 <= step < len(v):
                nxt.append(v[step])
            elif isinstance(step, str) and isinstance(v, Mapping) and step in v:
                nxt.append(v[step])
        values = nxt
    return values


def _same_value(found: Any, expected: Any) -> bool:
    """§6.3 ``values``: "the type and value of the claim both match exactly". Python's ``==`` says
    ``True == 1`` (and ``1 == 1.0``), so a claim ``true`` would answer ``values: [1]``: the JSON
    types are compared first (a boolean, an integer, a string)."""
    if isinstance(expected, bool) or isinstance(found, bool):
        return isinstance(expected, bool) and isinstance(found, bool) and found is expected
    if isinstance(expected, int):
        return isinstance(found, int) and found == expected
    return isinstance(expected, str) and isinstance(found, str) and found == expected


def _claims_match(claims: Mapping[str, Any], wanted: Sequence[Mapping[str, Any]]) -> bool:
    for claim in wanted:
        found = values_at(claims, claim["path"])
        if not found:
            return False
        values = claim.get("values")
        if isinstance(values, list) and not any(_same_value(f, v) for f in found for v in values):
            return False
    return True


def _options(cq: Mapping[str, Any]) -> list[list[Mapping[str, Any]]]:
    claims = cq.get("claims") or []
    claim_sets = cq.get("claim_sets")
    if claim_sets:
        by_id = {c.get("id"): c for c in claims}
        return [[by_id[i] for i in option] for option in claim_sets]
    return [list(claims)]


def answering_options(cq: Mapping[str, Any], cred: HeldCredential) -> list[tuple[ClaimPath, ...]]:
    """Every option of the credential query ``cq`` that ``cred`` answers (§6.4.1 ``claim_sets``, in
    the verifier's order of preference; the query's ``claims`` as one option without them), each as
    the claim paths it would disclose; empty when ``cred`` answers none (another format or type, or
    not from a trusted authority). The first is what :func:`match` picks; a later one discloses what
    the verifier also accepts, which lets the holder leave out what is not in every option."""
    if cq.get("format") in SD_JWT_FORMATS:
        formats: tuple[str, ...] = SD_JWT_FORMATS
        vcts = list(cq["meta"]["vct_values"])
        doctype = None
    elif cq.get("format") == MDOC_FORMAT:
        formats, doctype = (MDOC_FORMAT,), str(cq["meta"]["doctype_value"])
        vcts = [DOCTYPE_VCT.get(doctype, doctype)]
    else:
        return []
    if cred.format not in formats or cred.vct not in vcts or not _trusted(cq, cred):
        return []
    claims = {doctype: cred.claims} if doctype is not None else cred.claims
    return [tuple(tuple(c["path"]) for c in option) for option in _options(cq) if _claims_match(claims, option)]


def _query_match(cq: Mapping[str, Any], held: Sequence[HeldCredential]) -> tuple[str, tuple[ClaimPath, ...]] | None:
    for cred in held:
        options = answering_options(cq, cred)  # ordered by the verifier's preference (§6.4.1)
        if options:
            return cred.key, options[0]
    return None


def _resolve_sets(query: Mapping[str, Any], found: Collection[str]) -> tuple[list[str], bool]:
    """Query ids to answer (§6.4.2) given which ones can be answered; False when a required one cannot."""
    queries = [cq["id"] for cq in query["credentials"]]
    sets = query.get("credential_sets")
    if not sets:
        return queries, all(q in found for q in queries)
    chosen: list[str] = []
    ok = True
    for cset in sets:
        pick = next((o for o in cset["options"] if all(i in found for i in o)), None)
        if pick is None:
            ok = ok and not cset.get("required", True)
            continue
        chosen.extend(i for i in pick if i not in chosen)
    return chosen, ok


def match(query: Mapping[str, Any], held: Sequence[HeldCredential]) -> DcqlMatch:
    """The wallet's selection for ``query`` (§6.4); empty and unsatisfiable if a required part is missing."""
    validate(query)
    found = {cq["id"]: m for cq in query["credentials"] if (m := _query_match(cq, held)) is not None}
    wanted, ok = _resolve_sets(query, found)
    return DcqlMatch({q: found[q] for q in wanted} if ok else {}, ok)


#: What the verifier read from one presentation, for :func:`check_response`: (vct or mdoc doctype,
#: processed claims, disclosed paths); an mdoc's claims are ``{namespace: {element: value}}``, its
#: paths ``(namespace, element)``.
Presented = tuple[str, Mapping[str, Any], Collection[ClaimPath]]


def check_response(query: Mapping[str, Any],
                   presented: Mapping[str, Sequence[Presented]]) -> tuple[tuple[str, ...], ...]:
    """Verifier side (§8.6 item 3): ``presented`` maps query id -> every presentation received for
    it (:data:`Presented`), each checked on its own: with ``multiple: true`` an answer holds several,
    and the verifier "MUST NOT rely on the Wallet" (§6.4, §8.6) for any of them.

    Raises ClaimError when a presentation answers no query, has the wrong type or misses a requested
    claim, when a query is answered by none or (without ``multiple``) by several, when the set does
    not satisfy ``credentials``/``credential_sets``, or when a disclosure was made that no option of
    its query asked for. With ``credential_sets``, a presentation counts only inside an option that
    is answered whole (§6.4.2: the wallet satisfies a set with one option, all of it): one for a
    query no set names, or whose every option lacks another query's presentation ("the A1 only
    together with the PID", the A1 shown alone), is refused, never taken as half an answer.

    Returns the optional credential sets (§6.2 ``required: false``) of which nothing was presented,
    each as the query ids of its options: §8.1 "There MUST NOT be any entry ... for optional
    Credential Queries when there are no matching Credentials", so such an answer, even an empty
    ``vp_token``, is complete, and the caller says what it does not contain.
    """
    by_id = {cq["id"]: cq for cq in query["credentials"]}
    satisfied: set[str] = set()
    for qid, answers in presented.items():
        cq = by_id.get(qid)
        if cq is None:
            raise ClaimError(f"the answer contains a presentation for {qid!r}, which was not asked for")
        if not answers:
            raise ClaimError(f"the answer for {qid!r} holds no presentation")
        if len(answers) > 1 and cq.get("multiple") is not True:
            raise ClaimError(f"the answer for {qid!r} has several presentations, but only one was asked for")
        options = _options(cq)
        allowed = {tuple(c["path"]) for option in options for c in option}
        for vct, claims, disclosed in answers:
            if vct not in types_of(cq):
                raise ClaimError(f"the presentation for {qid!r} is a {vct}, not what was asked for")
            if not any(_claims_match(claims, option) for option in options):
                raise ClaimError(f"the presentation for {qid!r} lacks requested claims")
            for path in disclosed:
                if not any(_covers(a, path) for a in allowed):
                    raise ClaimError(f"the presentation for {qid!r} discloses {'.'.join(map(str, path))}, "
                                     "which was not asked for")
        satisfied.add(qid)
    _wanted, ok = _resolve_sets(query, satisfied)
    if not ok:
        raise ClaimError("the answer does not contain every credential the inspection requires")
    sets = query.get("credential_sets")
    if not sets:  # every credential query is asked for, and each was answered
        return ()
    set_options: list[list[str]] = [option for cset in sets for option in cset["options"]]
    whole = {i for option in set_options if all(i in satisfied for i in option) for i in option}
    for qid in presented:
        if qid in whole:
            continue
        with_it = [option for option in set_options if qid in option]
        if not with_it:
            raise ClaimError(f"the answer contains a presentation for {qid!r}, which no credential set of the "
                             "request asks for")
        needed = " or ".join(dict.fromkeys(" and ".join(repr(i) for i in option if i not in satisfied)
                                           for option in with_it))
        raise ClaimError(f"the answer presents {qid!r} but not {needed}, which the request asks for together "
                         "with it")
    _one_option_each(sets, set(presented))
    return tuple(tuple(dict.fromkeys(i for option in cset["options"] for i in option))
                 for cset in sets
                 if not any(i in satisfied for option in cset["options"] for i in option))


def _one_option_each(sets: Sequence[Mapping[str, Any]], presented: Collection[str]) -> None:
    """§6.4.2: the wallet answers each credential set with one of its options (a required set with
    one, an optional one with one or none), so what is presented must be the union of such a choice.
    Two options of one set (a PID as SD-JWT VC and another as mdoc) is no answer the request allows:
    the verifier would not know which one the person is. A query id several sets name counts for
    each of them (the union of one option per set), as the wallet picks (:func:`_resolve_sets`).

    Options are compared as sets of ids (each fully presented, checked before): the choices are
    searched as the set of unions reachable set by set, at most 2**len(presented) of them."""
    ids = sorted(presented)
    bit = {qid: 1 << n for n, qid in enumerate(ids)}
    everything = (1 << len(ids)) - 1
    reachable = {0}
    for cset in sets:
        masks = {sum(bit[i] for i in set(option)) for option in cset["options"] if all(i in bit for i in option)}
        # A set may be left out (optional; a required one was checked to have an option answered):
        # leaving it out never makes a wrong answer pass, the union must still be everything presented.
        reachable |= {r | m for r in reachable for m in masks}
    if everything in reachable:
        return
    for cset in sets:  # name a set answered with more than one option
        shown = [i for i in ids if any(i in option for option in cset["options"])]
        if shown and not any(set(shown) == set(option) for option in cset["options"]):
            options = " or ".join("[" + ", ".join(repr(i) for i in option) + "]" for option in cset["options"])
            raise ClaimError(f"the answer presents {' and '.join(repr(i) for i in shown)} for one credential set "
                             f"of the request, which asks for one of its options: {options}")
    raise ClaimError("the answer presents more than one option of the request's credential sets allows")


def _covers(asked: ClaimPath, disclosed: ClaimPath) -> bool:
    """A disclosure is covered when it lies on the asked path: a parent needed to reach it, or inside it."""
    n = min(len(asked), len(disclosed))
    return all(a is None or d is None or a == d for a, d in zip(asked[:n], disclosed[:n], strict=True))
