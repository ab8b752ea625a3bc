{
    'name': 'E-Contract Key Custody (HSM)',
    'summary': 'Witness signing key in a PKCS#11 HSM or in Odoo certificates, '
               'per-document encryption keys wrapped by a key-encryption key',
    'version': '18.0.1.0.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['certificate'],
    'external_dependencies': {'python': ['asn1crypto', 'cryptography', 'pyhanko']},
    'data': [
    ],
    'installable': True,
}
