"""Witness signature and finalize (B-LTA): our engine against bare pyHanko
doing the same operations, in the same run, on 1-, 10- and 100-page PDFs and
a ~50 MB one. TSA, OCSP and CRL are real servers on 127.0.0.1.

    .venv/bin/python benchmarks/bench_signing.py [--quick]

Prints median times, the ratio ours / pyHanko (target <= 1.15) and, for the
50 MB file, the peak memory of one signature and one finalize, each measured
in a fresh subprocess (target <= 3x the file size).
"""
import argparse
import gc
import io
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / 'tests'))
import conftest  # noqa: E402,F401  (registers the addons as bare packages, without Odoo)
import samples  # noqa: E402
from signing_support import witness_signer  # noqa: E402

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign import fields, signers, timestamps  # noqa: E402
from pyhanko.sign.validation import add_validation_info  # noqa: E402

from esign_hsm.testing.pki import build_pki  # noqa: E402
from esign_hsm.testing.pki_server import PkiServer  # noqa: E402
from esign_municipal.engine import ltv, witness  # noqa: E402
from esign_municipal.engine.fields import FieldSpec  # noqa: E402
from esign_municipal.engine.pdf_prepare import prepare_pdf  # noqa: E402
from esign_municipal.engine.trust import validation_context  # noqa: E402
from esign_timestamp.engine.rfc3161 import Rfc3161Client  # noqa: E402
from esign_hsm.testing.tsa_server import TsaServer  # noqa: E402

FIELD = 'FIELD_1_1'
REASON = witness.witness_reason('山田 太郎', 'taro@example.jp', witness.utcnow())


class Setup:
    def __init__(self, pki, tsa_url):
        self.pki = pki
        self.signer = witness_signer(pki)
        self.ours_ts = Rfc3161Client(tsa_url, trust_roots=[pki.root.asn1])
        self.pyhanko_ts = timestamps.HTTPTimeStamper(tsa_url)

    def context(self):
        return validation_context([self.pki.root.asn1])

    # -- our engine ---------------------------------------------------
    def ours_sign(self, data):
        return witness.sign_for_signer(data, field_name=FIELD, values={}, signer=self.signer,
                                       timestamper=self.ours_ts, reason=REASON)

    def ours_finalize(self, data):
        return ltv.finalize(data, timestamper=self.ours_ts, validation_context=self.context())

    # -- bare pyHanko, same operations ---------------------------------
    def pyhanko_sign(self, data):
        meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm='sha256', reason=REASON,
                                            location='日本', subfilter=fields.SigSeedSubFilter.PADES)
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        # pyHanko's own size estimate (its dummy token is cached after the warm-up)
        return signers.PdfSigner(meta, self.signer, timestamper=self.pyhanko_ts).sign_pdf(
            writer, existing_fields_only=True).getvalue()

    def pyhanko_finalize(self, data):
        context = self.context()
        stream = io.BytesIO(data)
        for index in range(len(PdfFileReader(stream).embedded_signatures)):
            sig = PdfFileReader(stream).embedded_signatures[index]
            stream = add_validation_info(sig, context, in_place=True) if index else \
                add_validation_info(sig, context)
        writer = IncrementalPdfFileWriter(stream)
        return signers.PdfTimeStamper(self.pyhanko_ts, field_name='TIMESTAMP_1').timestamp_pdf(
            writer, 'sha256', validation_context=context).getvalue()


def median_time(function, data, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def documents(quick):
    yield '1 page', samples.simple_pdf(1)
    yield '10 pages', samples.simple_pdf(10)
    yield '100 pages', samples.simple_pdf(100)
    if not quick:
        yield '~50 MB', samples.large_pdf()


def memory_probe(path, operation):
    """Runs in a fresh subprocess: peak memory of one operation on the prepared
    file at path (for finalize, signed first), input bytes included."""
    with PkiServer() as pki_server:
        pki_server.pki = pki = build_pki(base_url=pki_server.base_url)
        with TsaServer(pki.tsa, pki.chain) as tsa:
            setup = Setup(pki, tsa.url)
            # warm-up on a small file: imports, caches, connections
            small = setup.ours_sign(prepare_pdf(samples.simple_pdf(1), [FieldSpec(FIELD, 'signature', 0,
                                                                                  (10, 10, 100, 50))]))
            setup.ours_finalize(small)
            if operation == 'finalize':
                signed_path = pathlib.Path(path + '.signed')
                signed_path.write_bytes(setup.ours_sign(pathlib.Path(path).read_bytes()))
                path = str(signed_path)
            gc.collect()
            sampler = RssSampler().start()
            tracemalloc.start()
            data = pathlib.Path(path).read_bytes()
            result = (setup.ours_sign if operation == 'sign' else setup.ours_finalize)(data)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_growth = sampler.stop()
            assert len(result) > len(data)
            if operation == 'finalize':
                signed_path.unlink()
    print(json.dumps({'python_peak': peak, 'rss_growth': rss_growth, 'size': len(data)}))


class RssSampler:
    """Highest resident set size seen while running, above the starting one."""

    def __init__(self):
        self.start_rss = self.peak = _rss()
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.002)

    def stop(self):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, _rss())
        return self.peak - self.start_rss


def _rss():
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true', help='skip the 50 MB file')
    parser.add_argument('--repeat', type=int, default=9)
    parser.add_argument('--memory-probe', nargs=2, metavar=('PDF', 'OPERATION'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        return memory_probe(*args.memory_probe)

    rows = []
    with PkiServer() as pki_server:
        pki_server.pki = pki = build_pki(base_url=pki_server.base_url)
        with TsaServer(pki.tsa, pki.chain) as tsa:
            setup = Setup(pki, tsa.url)
            setup.ours_sign(prepare_pdf(samples.simple_pdf(1), [FieldSpec(FIELD, 'signature', 0, (10, 10, 90, 50))]))
            setup.pyhanko_sign(prepare_pdf(samples.simple_pdf(1), [FieldSpec(FIELD, 'signature', 0, (10, 10, 90, 50))]))
            for label, pdf in documents(args.quick):
                prepared = prepare_pdf(pdf, [FieldSpec(FIELD, 'signature', 0, (300, 40, 450, 100))])
                repeat = args.repeat
                signed = setup.ours_sign(prepared)
                row = {'document': label, 'size': len(prepared)}
                # interleave ours and pyHanko so that machine noise hits both alike
                for step, data in (('sign', prepared), ('finalize', signed)):
                    ours, theirs = getattr(setup, f'ours_{step}'), getattr(setup, f'pyhanko_{step}')
                    pairs = [(median_time(ours, data, 1), median_time(theirs, data, 1)) for _ in range(repeat)]
                    row[step] = (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))
                rows.append(row)
                if len(pdf) > 10_000_000:
                    folder = REPO / 'var'
                    folder.mkdir(exist_ok=True)
                    path = folder / 'bench-50mb.pdf'
                    path.write_bytes(prepared)
                    for operation in ('sign', 'finalize'):
                        probe = subprocess.run([sys.executable, __file__, '--memory-probe', str(path), operation],
                                               capture_output=True, text=True, check=True)
                        row[f'memory_{operation}'] = json.loads(probe.stdout.strip().splitlines()[-1])
                    path.unlink()

    print(f"{'document':<10} {'size':>10}  {'sign ours':>9} {'pyHanko':>8} {'ratio':>6}  "
          f"{'final ours':>10} {'pyHanko':>8} {'ratio':>6}")
    for row in rows:
        (s_ours, s_py), (f_ours, f_py) = row['sign'], row['finalize']
        print(f"{row['document']:<10} {row['size']:>10,}  {s_ours:>8.3f}s {s_py:>7.3f}s {s_ours / s_py:>5.2f}x  "
              f"{f_ours:>9.3f}s {f_py:>7.3f}s {f_ours / f_py:>5.2f}x")
    for row in rows:
        for operation in ('sign', 'finalize'):
            memory = row.get(f'memory_{operation}')
            if memory:
                print(f"{row['document']} {operation}: peak Python memory {memory['python_peak'] / 2**20:.1f} MiB "
                      f"= {memory['python_peak'] / memory['size']:.2f}x the file, "
                      f"RSS growth {memory['rss_growth'] / 2**20:.1f} MiB above the warmed-up process = "
                      f"{memory['rss_growth'] / memory['size']:.2f}x (target <= 3x)")
    worst = max(max(r['sign'][0] / r['sign'][1], r['finalize'][0] / r['finalize'][1]) for r in rows)
    print(f'worst ratio ours / pyHanko: {worst:.2f}x (target <= 1.15x)')


if __name__ == '__main__':
    main()
