from . import test_standalone
from . import test_esign_tsa
from . import test_batch_verification
