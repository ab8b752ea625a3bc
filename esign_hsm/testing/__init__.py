"""DEMO - UNTRUSTED parts for the demo database, the tests and the benchmarks.

- pki: a small generated PKI (root, issuing CA, witness, TSA and OCSP
  responder certificates) with its CRLs and OCSP answers;
- pki_server, tsa_server: those revocation data and an RFC 3161 TSA served
  over HTTP on 127.0.0.1, with fault injection (tsa_responder);
- demo_tsa: the in-process timestamp authority of the demo database (built
  with --stop-after-init, when no HTTP server runs);
- softhsm: throw-away SoftHSM2 tokens;
- pdf_checks: a one-page PDF and the independent checks of a signed one.

The product never imports this package: only demo data (files and methods
named *demo*), the tests and the benchmarks do (tests/test_testing_is_not_product.py).
It lives in esign_hsm, the addon every other depends on, so that all of
them share one copy.
"""
