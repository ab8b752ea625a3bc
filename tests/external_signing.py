"""Documents signed elsewhere, for the engine tests: the helpers the Odoo
tests use too (esign_municipal/tests/external_signature_common.py, which
imports no Odoo), loaded from their file because importing the addon's
`tests` package would import every Odoo test module."""
import asyncio
import importlib.util
import io
import pathlib

import pytest
from asn1crypto import cms, keys
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.signers import cms_embedder
from pyhanko.sign.signers.pdf_byterange import SignatureObject
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

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


def sign_in_old_format(data, party, field_name=EXTERNAL_FIELD):
    """`data` signed by `party` as old signing software did: SubFilter adbe.pkcs7.sha1,
    a CMS that encapsulates the SHA-1 digest of the signed bytes. poppler checks this
    format; pyHanko does not."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    embedding = cms_embedder.PdfCMSEmbedder().write_cms(field_name=field_name, writer=writer)
    next(embedding)
    placeholder = SignatureObject(bytes_reserved=8192)
    placeholder['/SubFilter'] = generic.NameObject('/adbe.pkcs7.sha1')
    embedding.send(cms_embedder.SigObjSetup(sig_placeholder=placeholder))
    prepared, output = embedding.send(cms_embedder.SigIOSetup(md_algorithm='sha1', in_place=True))
    digest = cms.ContentInfo({'content_type': 'data', 'content': prepared.document_digest})
    embedding.send(asyncio.run(party.signer.async_sign_general_data(digest, 'sha1', detached=False)))
    return output.getvalue()


def sha1_timestamper(party):
    """The party's timestamp authority signing its tokens with SHA-1, as older ones did."""
    tsa = party.pki.tsa
    key = keys.PrivateKeyInfo.load(tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return DummyTimeStamper(tsa.asn1, key, certs_to_embed=[c.asn1 for c in party.pki.chain], override_md='sha1')
