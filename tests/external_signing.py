"""Documents signed elsewhere, for the engine tests: the helpers the Odoo
tests use too (esign_municipal/tests/external_signature_common.py, which
imports no Odoo), loaded from their file because importing the addon's
`tests` package would import every Odoo test module."""
import importlib.util
import pathlib

import pytest

from esign_hsm.testing.demo_tsa import DemoTsa
from esign_hsm.testing.pki import build_pki
from esign_timestamp.engine.rfc3161 import Rfc3161Client

_PATH = pathlib.Path(__file__).resolve().parent.parent / 'esign_municipal' / 'tests' / 'external_signature_common.py'
_spec = importlib.util.spec_from_file_location('external_signature_common', _PATH)
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)

EXTERNAL_FIELD = common.EXTERNAL_FIELD
external_party = common.external_party
sign_externally = common.sign_externally
timestamp_externally = common.timestamp_externally
external_status = common.external_status


@pytest.fixture(scope='module')
def party():
    """A contractor with a certificate of its own CA (not the witness PKI)."""
    return external_party(build_pki(prefix='Gaibu Kensetsu', organization=common.EXTERNAL_ORGANIZATION))


@pytest.fixture(scope='module')
def party_timestamper(party):
    """The contractor's own timestamp authority (in-process; its root is not trusted here either)."""
    pki = party.pki
    return Rfc3161Client('demo:contractor-tsa', transport=DemoTsa(pki.tsa.cert, pki.tsa.key,
                                                                   [c.asn1 for c in pki.chain]).answer)
