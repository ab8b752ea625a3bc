from . import controllers
from . import models
from . import wizard

from .tools import archive_guard


def uninstall_hook(env):
    """Odoo's module loader calls this right before it removes the addon's
    records and tables, in the same transaction: the archive guards step
    aside for that transaction only (archive_guard.begin_uninstall), and not
    at all while the archive still holds contracts to keep."""
    env['esign.contract']._esign_check_uninstall()
    archive_guard.begin_uninstall(env.cr)
