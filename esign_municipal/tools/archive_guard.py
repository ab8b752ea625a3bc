"""Who may change archived records: nobody through the ORM, except the few
code paths of this addon that must (the correction wizard, timestamp renewal,
deletion after the retention period, the log's sealing).

Those paths open `unlocked(reason)`; the write/unlink overrides of the
archived models refuse everything else, superuser and sudo() included. The
permission lives in a Python context variable, not in the Odoo context, so
no RPC caller can grant it to itself. (Raw SQL is out of the ORM's reach by
nature; the operation log's hash chain makes such changes visible.)
"""
import contextlib
import contextvars

_UNLOCKED = contextvars.ContextVar('esign_archive_unlocked', default=frozenset())

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


def module_being_removed(env):
    """Uninstalling the addon removes its tables anyway; the guards step aside."""
    env.cr.execute("SELECT 1 FROM ir_module_module WHERE name = 'esign_municipal' AND state = 'to remove'")
    return bool(env.cr.fetchone())
