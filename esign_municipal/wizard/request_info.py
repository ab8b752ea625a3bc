from odoo.http import request


def backoffice_request_info():
    """Where a logged-in user acts from, for the signer's record and the log."""
    info = {'auth_method': 'backoffice'}
    if request:
        info['ip'] = request.httprequest.remote_addr
        info['user_agent'] = request.httprequest.user_agent.string
    return info
