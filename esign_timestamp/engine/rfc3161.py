"""RFC 3161 client as a pyHanko TimeStamper, and a failover across several.

Every response is checked before pyHanko embeds it: status granted, our nonce,
our message imprint, a token signature that verifies, a TSA certificate with
the timeStamping EKU, and (when trust roots are given) a chain to them. Any
failure raises TimestampError with a stable code, so nothing is applied.
"""
import requests
from asn1crypto import algos, cms, core, tsp
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import dummy_digest, get_nonce

from .errors import TimestampError
from .token import HASHES, TimeStampResp, async_check_token

REPLY_TYPES = ('application/timestamp-reply', 'application/timestamp-response')


class Rfc3161Client(TimeStamper):
    """One TSA over HTTP(S).

    hash_algorithm: the digest preferred for data we choose to hash (document
    timestamps); signature timestamps follow the signature's own digest.
    client_cert: path to a PEM certificate (or (cert, key) paths) for TLS
    client authentication; verify: True, False or a CA bundle path.
    on_token(token_der, token_info, url): called for every token issued for
    real data (not for pyHanko's size-estimation dummies).
    transport(request_der) -> response_der: answers in-process instead of
    over HTTP (the demo database's TSA); the answer is checked all the same.
    """

    def __init__(self, url, *, hash_algorithm='sha256', policy_oid=None, username=None, password=None,
                 client_cert=None, verify=True, timeout=10.0, trust_roots=None, on_token=None,
                 include_nonce=True, transport=None):
        super().__init__(include_nonce=include_nonce)
        if hash_algorithm not in HASHES:
            raise ValueError(f'unsupported hash algorithm {hash_algorithm}')
        self.url = url
        self.hash_algorithm = hash_algorithm
        self.policy_oid = policy_oid or None
        self.auth = (username, password or '') if username else None
        self.client_cert = client_cert
        self.verify = verify
        self.timeout = timeout
        self.trust_roots = list(trust_roots or ())
        self.on_token = on_token
        self.transport = transport

    def __repr__(self):
        return f'<{type(self).__name__} {self.url}>'  # never shows credentials

    def request_cms(self, message_digest, md_algorithm):
        request = {
            'version': 1,
            'message_imprint': tsp.MessageImprint({
                'hash_algorithm': algos.DigestAlgorithm({'algorithm': md_algorithm}),
                'hashed_message': message_digest,
            }),
            'cert_req': True,
        }
        nonce = get_nonce() if self.include_nonce else None
        if nonce is not None:
            request['nonce'] = core.Integer(nonce)
        if self.policy_oid:
            request['req_policy'] = self.policy_oid
        return nonce, tsp.TimeStampReq(request)

    async def async_timestamp(self, message_digest, md_algorithm):
        return await self._obtain(message_digest, md_algorithm, record=True)

    async def async_dummy_response(self, md_algorithm):
        # pyHanko asks for one token on dummy data to size the signature; it is
        # checked like any other but not recorded as issued for a document.
        cached = self._dummy_response_cache.get(md_algorithm)
        if cached is None:
            cached = await self._obtain(dummy_digest(md_algorithm), md_algorithm, record=False)
            self._register_dummy(md_algorithm, cached)
        return cached

    async def _obtain(self, message_digest, md_algorithm, record):
        if md_algorithm not in HASHES:
            raise TimestampError('malformed', f'unsupported hash algorithm {md_algorithm}', self.url)
        nonce, request = self.request_cms(message_digest, md_algorithm)
        response = self._parse(self._post(request.dump()))
        token_der = response['time_stamp_token'].dump()
        info = await async_check_token(token_der, imprint=message_digest, hash_algorithm=md_algorithm,
                                       trust_roots=self.trust_roots, tsa_url=self.url)
        if nonce is not None and info.nonce != nonce:
            raise TimestampError('bad_nonce', f'sent {nonce}, got {info.nonce}', self.url)
        if self.policy_oid and info.policy_oid != self.policy_oid:
            raise TimestampError('malformed', f'policy {info.policy_oid} instead of {self.policy_oid}', self.url)
        if record and self.on_token:
            self.on_token(token_der, info, self.url)
        # A pristine, unparsed copy: asn1crypto re-serializes parsed objects
        # slowly when pyHanko embeds them.
        return cms.ContentInfo.load(token_der)

    def _post(self, body):
        if self.transport:
            return self.transport(body)
        headers = {'Content-Type': 'application/timestamp-query', 'Accept': 'application/timestamp-reply'}
        try:
            response = requests.post(self.url, data=body, headers=headers, auth=self.auth, cert=self.client_cert,
                                     verify=self.verify, timeout=self.timeout)
        except requests.Timeout as exc:
            raise TimestampError('timeout', f'no answer within {self.timeout:g} s', self.url) from exc
        except (requests.RequestException, OSError) as exc:
            raise TimestampError('unreachable', type(exc).__name__, self.url) from exc
        if response.status_code != 200:
            raise TimestampError('http_error', f'HTTP {response.status_code}', self.url)
        content_type = response.headers.get('Content-Type', '').split(';')[0].strip()
        if content_type not in REPLY_TYPES:
            raise TimestampError('malformed', f'content type {content_type!r}', self.url)
        return response.content

    def _parse(self, response_der):
        try:
            response = TimeStampResp.load(response_der)
            status = response['status']['status'].native
        except Exception as exc:
            raise TimestampError('malformed', 'not a timestamp response', self.url) from exc
        if status not in ('granted', 'granted_with_mods'):
            texts = '; '.join(response['status']['status_string'].native or ())
            fail_info = ', '.join(sorted(response['status']['fail_info'].native or ()))
            raise TimestampError('rejected', f'{status} {fail_info} {texts}'.strip(), self.url)
        if not isinstance(response['time_stamp_token'], cms.ContentInfo):
            raise TimestampError('malformed', 'granted without a token', self.url)
        return response


class FailoverTimeStamper(TimeStamper):
    """Tries each timestamper in order; the first valid token wins.

    When all fail, raises the last TimestampError, with `.failures` listing
    every TSA tried.
    """

    def __init__(self, timestampers):
        super().__init__()
        self.timestampers = list(timestampers)
        self.hash_algorithm = getattr(self.timestampers[0], 'hash_algorithm', 'sha256') if self.timestampers \
            else 'sha256'

    async def async_timestamp(self, message_digest, md_algorithm):
        return await self._first_success(lambda ts: ts.async_timestamp(message_digest, md_algorithm))

    async def async_dummy_response(self, md_algorithm):
        cached = self._dummy_response_cache.get(md_algorithm)
        if cached is None:
            cached = await self._first_success(lambda ts: ts.async_dummy_response(md_algorithm))
            self._register_dummy(md_algorithm, cached)
        return cached

    async def _first_success(self, call):
        if not self.timestampers:
            raise TimestampError('no_tsa')
        failures, last = [], None
        for timestamper in self.timestampers:
            try:
                return await call(timestamper)
            except TimestampError as exc:
                failures.append((exc.tsa_url, exc.code, exc.detail))
                last = exc
        raise TimestampError(last.code, last.detail, last.tsa_url, failures=failures)
