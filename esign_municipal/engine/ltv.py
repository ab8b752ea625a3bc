"""Long-term validation (長期署名): PAdES B-LTA.

finalize: after the last signer, embed the validation data of every signature
and its timestamp (DSS: chains, OCSP responses, CRLs) and add a document
timestamp, then the validation data of that timestamp's TSA.
renew (延長タイムスタンプ): the same over an archived PDF, extending the chain
before the last timestamp's certificate or algorithm ages out.
"""
import asyncio
import io

from pyhanko.sign import signers
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.validation import DocumentSecurityStore, collect_validation_info
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from . import sizing
from .errors import SigningError
from .pdf_prepare import COPY_CHUNK, open_reader, open_writer

CERT_ERRORS = (PathBuildingError, PathValidationError, ValidationError)
TIMESTAMP_FIELD_PREFIX = 'TIMESTAMP_'


def finalize(data, *, timestamper, validation_context, md_algorithm=None):
    """B-LTA from a PDF whose signatures are all applied."""
    reader = open_reader(data)
    if not reader.embedded_regular_signatures:
        raise SigningError('not_signed', 'the PDF has no signature to finalize')
    return _archive_timestamp(reader, timestamper, validation_context, md_algorithm, required=None)


def renew(data, *, timestamper, validation_context, md_algorithm=None):
    """A new document timestamp with fresh validation data over an archived PDF.

    Certificates may have expired since: the data of older signatures and
    timestamps is refreshed when it can be, but the newest document
    timestamp, which the new one extends, must validate now.
    """
    reader = open_reader(data)
    timestamps = reader.embedded_timestamp_signatures
    if not timestamps:
        raise SigningError('not_finalized', 'the PDF has no document timestamp to renew')
    newest = max(timestamps, key=lambda sig: sig.signed_revision)
    return _archive_timestamp(reader, timestamper, validation_context, md_algorithm, required=newest)


def timestamp_document(data, *, timestamper, validation_context, md_algorithm=None):
    """A first document timestamp over any PDF: a contract signed elsewhere
    or on paper, registered in the archive. Its own signatures, if any, are
    left as they are (their validation data is added when it can be found);
    only the new timestamp must validate."""
    reader = open_reader(data)
    return _archive_timestamp(reader, timestamper, validation_context, md_algorithm, required=_ONLY_NEW)


# `required` for timestamp_document: no existing signature must validate.
_ONLY_NEW = object()


def _archive_timestamp(reader, timestamper, validation_context, md_algorithm, required):
    """required: None (finalize: every signature and timestamp must validate)
    or the one signature that must (renew: the newest document timestamp)."""
    md_algorithm = md_algorithm or getattr(timestamper, 'hash_algorithm', 'sha256')
    paths = asyncio.run(_collect(reader.embedded_signatures, validation_context, required))
    writer = open_writer(reader)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=validation_context)
    field_name = f'{TIMESTAMP_FIELD_PREFIX}{len(reader.embedded_timestamp_signatures) + 1}'
    measured = sizing.Measured(timestamper)
    output = signers.PdfTimeStamper(measured, field_name=field_name).timestamp_pdf(
        writer, md_algorithm, bytes_reserved=sizing.timestamp_room(timestamper), chunk_size=COPY_CHUNK)
    # The new timestamp's own TSA data, so the chain validates until the next renewal.
    paths = asyncio.run(_signed_data_paths(measured.tokens[-1]['content'], validation_context))
    DocumentSecurityStore.add_dss(output, None, paths=paths, validation_context=validation_context)
    return output.getvalue()


async def _signed_data_paths(signed_data, validation_context):
    certs = extract_certificate_info(signed_data)
    validator = CertificateValidator(certs.signer_cert, intermediate_certs=certs.other_certs,
                                     validation_context=validation_context)
    try:
        return [await validator.async_validate_usage(set())]
    except CERT_ERRORS as exc:
        raise SigningError('validation_data', f'no validation data for the new timestamp: {exc}') from exc


async def _collect(embedded_signatures, validation_context, required):
    """Validation paths (and, in the context, revocation data) of each signature and timestamp."""
    paths = []
    for sig in embedded_signatures:
        must = sig is required if required is not None else True
        try:
            paths.extend(await collect_validation_info(sig, validation_context))
        except PathBuildingError as exc:
            # A signature or document timestamp of another service whose chain
            # does not lead to our trust roots (署名互換): left as it is, it
            # keeps its own validity. finalize adds the first timestamp of ours,
            # so every one already there came from elsewhere; the timestamp a
            # renewal extends is ours and must chain.
            if sig is required:
                raise SigningError('validation_data', f'{sig.field_name} does not chain to a trusted root') from exc
        except CERT_ERRORS as exc:
            if must:
                raise SigningError('validation_data', f'no validation data for {sig.field_name}: {exc}') from exc
    return paths
