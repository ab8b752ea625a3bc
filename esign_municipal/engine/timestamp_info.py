"""Which timestamps a PDF carries, and when the newest one's TSA certificate
expires: the archive renews (延長タイムスタンプ) before that day comes."""
import datetime
from dataclasses import dataclass

from pyhanko.sign.general import extract_certificate_info

from .pdf_prepare import open_reader


@dataclass
class TimestampInfo:
    kind: str  # 'document_timestamp' or 'signature_timestamp'
    field_name: str
    time: datetime.datetime  # aware, UTC
    tsa_name: str
    tsa_cert_not_after: datetime.datetime  # aware, UTC


def timestamps_of(data):
    """Every timestamp in the PDF (document timestamps and those inside
    signatures), oldest first. Raises PdfRejected for what is not a PDF."""
    found = []
    for sig in open_reader(data).embedded_signatures:
        if sig.sig_object.get('/Type') == '/DocTimeStamp':
            found.append(_info('document_timestamp', sig.field_name, sig.signed_data, sig.signer_cert))
            continue
        token = sig.attached_timestamp_data
        if token is not None:
            found.append(_info('signature_timestamp', sig.field_name, token,
                               extract_certificate_info(token).signer_cert))
    return sorted(found, key=lambda info: info.time)


def newest_timestamp(data):
    """The TimestampInfo with the latest time, or None when there is none."""
    found = timestamps_of(data)
    return found[-1] if found else None


def _info(kind, field_name, signed_data, tsa_cert):
    tst_info = signed_data['encap_content_info']['content'].parsed
    return TimestampInfo(
        kind=kind, field_name=field_name or '',
        time=tst_info['gen_time'].native,
        tsa_name=tsa_cert.subject.human_friendly,
        tsa_cert_not_after=tsa_cert['tbs_certificate']['validity']['not_after'].native)
