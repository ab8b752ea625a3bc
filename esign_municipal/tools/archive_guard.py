"""Who may change archived records: nobody through the ORM, except the few
code paths of this addon that must (the correction wizard, timestamp renewal,
deletion after the retention period, the log's sealing).

Those paths open `unlocked(reason)`; the write/unlink overrides of the
archived models refuse everything else, superuser and sudo() included. The
permission lives in a Python context variable, not in the Odoo context, so
no RPC caller can grant it to itself. (Raw SQL is out of the ORM's reach by
nature; the operation log's hash chain makes such changes visible.)

The same holds for the one moment the guards step aside, the addon's
uninstallation, which drops their tables anyway: it is marked on the
database cursor of the uninstallation by the addon's uninstall hook, which
only Odoo's module loader calls, and forgotten when that transaction ends.
The module's state ('to remove') proves nothing: any administrator can set
it over RPC without uninstalling anything.
"""
import contextlib
import contextvars
import weakref

_UNLOCKED = contextvars.ContextVar('esign_archive_unlocked', default=frozenset())
# The cursors of uninstallations in progress (see begin_uninstall).
_UNINSTALLING = weakref.WeakSet()

CORRECTION = 'correction'
RENEWAL = 'renewal'
RETENTION_DELETE = 'retention_delete'
ARCHIVING = 'archiving'
VERIFICATION = 'verification'
LOG_WRITE = 'log_write'


@contextlib.contextmanager
def unlocked(*reasons):
    token = _UNLOCKED.set(_UNLOCKED.get() | frozenset(reasons))
    try:
        yield
    finally:
        _UNLOCKED.reset(token)


def is_unlocked(reason):
    return reason in _UNLOCKED.get()


def begin_uninstall(cr):
    """Called by the uninstall hook only: the guards step aside for the rest
    of this cursor's transaction (Odoo removes the addon's records and tables
    in it, then commits)."""
    _UNINSTALLING.add(cr)

    def end():
        _UNINSTALLING.discard(cr)
    cr.postcommit.add(end)
    cr.postrollback.add(end)


def module_being_removed(env):
    """Whether this transaction is the addon's uninstallation."""
    return env.cr in _UNINSTALLING
