from . import test_access_groups
from . import test_translations
from . import test_envelope_lifecycle
from . import test_envelope_errors
from . import test_envelope_crons
from . import test_envelope_actions
from . import test_envelope_access
from . import test_archive_completion
