{
    'name': 'Electronic Contracts for Municipalities',
    'summary': 'Witness-type electronic contracts: envelopes sent from purchase '
               'orders, signed in the portal, PAdES with timestamps and LTV, '
               'archived for the Electronic Books Maintenance Act',
    'version': '18.0.1.0.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['esign_timestamp', 'esign_hsm', 'purchase', 'portal', 'mail', 'auth_totp', 'auth_oauth'],
    'external_dependencies': {'python': ['pyhanko']},
    'data': [
        'security/esign_security.xml',
        'security/ir.model.access.csv',
        'security/esign_rules.xml',
        'data/ir_sequence_data.xml',
        'data/ir_cron_data.xml',
        'data/esign_contract_type_data.xml',
        'data/mail_template_data.xml',
        'views/esign_envelope_views.xml',
        'views/esign_template_views.xml',
        'views/esign_wizard_views.xml',
        'views/purchase_order_views.xml',
        'data/auth_oauth_data.xml',
        'views/esign_menus.xml',
        'views/res_config_settings_views.xml',
        'views/esign_access_refusal_views.xml',
        'views/res_config_settings_security_views.xml',
        'views/staff_access_refused_templates.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'esign_municipal/static/src/field_editor/*',
        ],
        'web.assets_tests': [
            'esign_municipal/static/tests/tours/*',
        ],
    },
    'demo': [
        'data/demo/esign_demo.xml',
    ],
    'application': True,
    'installable': True,
}
