from . import test_standalone
