"""QA pass over the A1 naming its holder (section 1, QA finding F1) as its users meet it: the clerk
recording an A1 in the back office or by CSV, and the inspector reading the verdict.
"""

from __future__ import annotations

from credentials.errors import DataError
from issuer.office import FIELDS, _label, form_errors


def test_an_a1_refused_without_its_holder_names_the_holder_in_the_clerks_words() -> None:
    """An A1 without any of section 1's fields is refused for the holder as a whole
    (``case.a1_holder_required`` on the field ``holder``): the form's error summary and the CSV import
    report name it in the clerk's language, never as the bare key "holder (holder)"."""
    refused = DataError("holder", "an A1 carries the holder's surname ...", key="case.a1_holder_required")
    for lang, word in (("en", "Holder"), ("de", "Inhaber/in"), ("lv", "Turētājs")):
        shown = form_errors(lang, [refused], FIELDS["pda1"], {})
        assert [(e.label, e.target) for e in shown] == [(word, "f-holder-family_name")], shown
        assert _label(lang, "holder") == word  # the import report's label for the row's field
