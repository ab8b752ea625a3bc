"""validate_pdf runs pyHanko's modification (diff) analysis once per
signature: the second look at each signature, for long-term validation
(hard revocation checks at the time of its timestamp), skips it. The public
verification page relies on this to keep an upload's cost bounded."""
import collections

import pytest
from pyhanko.sign.validation import pdf_embedded

from esign_municipal.engine.validation import validate_pdf
from signing_support import pki, pki_server, signer, tsa  # noqa: F401
from test_validation import signed_and_final  # noqa: F401


@pytest.fixture
def diff_calls(monkeypatch):
    calls = collections.Counter()
    original = pdf_embedded.EmbeddedPdfSignature.evaluate_modifications

    def counted(sig, *args, **kwargs):
        calls[sig.field_name] += 1
        return original(sig, *args, **kwargs)
    monkeypatch.setattr(pdf_embedded.EmbeddedPdfSignature, 'evaluate_modifications', counted)
    return calls


def test_one_modification_analysis_per_signature(pki, signed_and_final, diff_calls):
    report = validate_pdf(signed_and_final[1], trust_roots=[pki.root.asn1])
    assert report.verdict == 'valid' and report.ltv
    names = [sig.field_name for sig in report.signatures]
    assert len(names) == 3  # two witness signatures and the document timestamp
    assert diff_calls == collections.Counter(names)
