"""The demo database is built with --stop-after-init: no HTTP server runs.
Its contract is signed with the in-process demo TSA (pyHanko's
DummyTimeStamper behind our client) and finalized with revocation data
handed over in-process, and still validates as B-LTA."""
import pytest

import samples
from esign_hsm.testing.demo_tsa import DemoTsa
from esign_hsm.testing.pki import build_pki
from esign_municipal.engine import ltv, witness
from esign_municipal.engine.errors import SigningError
from esign_municipal.engine.fields import FieldSpec
from esign_municipal.engine.pdf_prepare import prepare_pdf
from esign_municipal.engine.trust import validation_context
from esign_timestamp.engine.rfc3161 import Rfc3161Client
from signing_support import assert_signed_pdf_ok, witness_signer


def test_demo_contract_without_any_server():
    # The certificates name revocation URLs that nothing answers.
    pki = build_pki(base_url='http://127.0.0.1:9/esign-demo-pki')
    demo_tsa = DemoTsa(pki.tsa.cert, pki.tsa.key, [issued.asn1 for issued in pki.chain])
    timestamper = Rfc3161Client('demo:in-process-tsa', transport=demo_tsa.answer, trust_roots=[pki.root.asn1])
    prepared = prepare_pdf(samples.simple_pdf(1, japanese=True), [
        FieldSpec('FIELD_1_1', 'signature', 0, (60, 40, 210, 100), signer_key=1),
        FieldSpec('FIELD_1_2', 'signature', 0, (260, 40, 410, 100), signer_key=2)])
    signed = prepared
    for field in ('FIELD_1_1', 'FIELD_1_2'):
        signed = witness.sign_for_signer(signed, field_name=field, values={}, signer=witness_signer(pki),
                                         timestamper=timestamper, reason='demo')

    offline = validation_context([pki.root.asn1], allow_fetching=False)
    with pytest.raises(SigningError) as caught:
        ltv.finalize(signed, timestamper=timestamper, validation_context=offline)
    assert caught.value.code == 'validation_data'

    in_process = validation_context([pki.root.asn1], allow_fetching=False, **pki.revocation_data())
    final = ltv.finalize(signed, timestamper=timestamper, validation_context=in_process)
    assert_signed_pdf_ok(final, pki, signatures=['FIELD_1_1', 'FIELD_1_2'], doc_timestamps=1, ltv=True,
                         ocsp_answers=False)
