from . import test_access_groups
from . import test_translations
from . import test_staff_settings
from . import test_staff_mfa
from . import test_staff_ip
from . import test_staff_sso
