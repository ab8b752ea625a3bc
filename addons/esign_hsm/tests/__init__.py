from . import test_demo_pki_certificates
