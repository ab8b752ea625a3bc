{
    'name': 'E-Contract Key Custody (HSM)',
    'summary': 'Witness signing key in a PKCS#11 HSM or in Odoo certificates, '
               'per-document encryption keys wrapped by a key-encryption key',
    'version': '18.0.1.1.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['certificate'],
    'external_dependencies': {'python': ['asn1crypto', 'cryptography', 'pyhanko', 'pyhanko-certvalidator', 'python-pkcs11']},
    'data': [
        'security/ir.model.access.csv',
        'security/esign_hsm_security.xml',
        'views/esign_witness_key_views.xml',
        'views/res_config_settings_views.xml',
        'wizard/esign_pkcs12_import_views.xml',
        'wizard/esign_certificate_import_views.xml',
    ],
    'demo': [
        'demo/esign_hsm_demo.xml',
    ],
    'installable': True,
}
