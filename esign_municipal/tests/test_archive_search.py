import itertools

from odoo.exceptions import UserError
from odoo.tests import tagged

from .archive_common import ArchiveCase


@tagged('post_install', '-at_install')
class TestArchiveSearch(ArchiveCase):
    """電子帳簿保存法 search: 取引年月日 and 取引金額 as ranges, 取引先, every
    combination of them, and the records where a key is empty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env['res.partner'].create({'name': 'Other Works', 'is_company': True})
        rows = [
            # number, date, amount, partner
            ('S01', '2026-04-01', 500000, cls.vendor),
            ('S02', '2026-04-15', 1500000, cls.vendor),
            ('S03', '2026-05-20', 3000000, cls.vendor),
            ('S04', '2026-04-10', 800000, cls.other),
            ('S05', '2025-12-24', 1200000, cls.other),
            ('S06', False, 900000, cls.vendor),         # no transaction date
            ('S07', '2026-04-05', False, cls.vendor),   # no amount
            ('S08', '2026-04-20', 700000, False),       # no counterparty
            ('S09', False, False, False),               # nothing at all
        ]
        cls.contracts = {}
        for number, date, amount, partner in rows:
            cls.contracts[number] = cls.make_contract(number, transaction_date=date, amount=amount,
                                                      partner_id=partner.id if partner else False,
                                                      name=f'業務委託契約 {number}', department='総務課',
                                                      reference='KEIYAKU-2025-99' if number == 'S05' else False)
        cls.expected = {number: (date, amount, partner) for number, date, amount, partner in rows}

    def found(self, user=None, extra=(), **criteria):
        wizard = self.env['esign.contract.search.wizard'].with_user(user or self.auditor).create(criteria)
        domain = wizard._esign_domain()
        records = self.env['esign.contract'].with_user(user or self.auditor).search(
            domain + [('number', 'in', list(self.contracts) + list(extra))])
        return set(records.mapped('number'))

    def expect(self, date_from=None, date_to=None, date_empty=False, amount_min=None, amount_max=None,
               amount_empty=False, partner=None, partner_empty=False):
        """The same search, done by hand over the rows."""
        result = set()
        for number, (date, amount, row_partner) in self.expected.items():
            if date_empty and date:
                continue
            if (date_from or date_to) and not date:
                continue
            if date_from and date < date_from or date_to and date > date_to:
                continue
            if amount_empty and amount:
                continue
            if (amount_min is not None or amount_max is not None) and not amount:
                continue
            if amount_min is not None and amount < amount_min or amount_max is not None and amount > amount_max:
                continue
            if partner_empty and row_partner:
                continue
            if partner and row_partner != partner:
                continue
            result.add(number)
        return result

    def test_every_combination_of_the_three_keys(self):
        dates = [{}, {'date_from': '2026-04-01', 'date_to': '2026-04-30'}, {'date_from': '2026-04-12'},
                 {'date_to': '2026-04-01'}, {'date_empty': True}]
        amounts = [{}, {'amount_min': '600,000', 'amount_max': '1,600,000'}, {'amount_min': '1000000'},
                   {'amount_max': '￥800,000'}, {'amount_empty': True}]
        partners = [{}, {'partner': self.vendor}, {'partner': self.other}, {'partner_empty': True}]
        checked = 0
        for date, amount, partner in itertools.product(dates, amounts, partners):
            criteria = dict(date, **amount)
            if 'partner' in partner:
                criteria['partner_id'] = partner['partner'].id
            criteria.update({k: v for k, v in partner.items() if k == 'partner_empty'})
            expected = self.expect(
                date_from=date.get('date_from'), date_to=date.get('date_to'), date_empty=date.get('date_empty'),
                amount_min=_number(amount.get('amount_min')), amount_max=_number(amount.get('amount_max')),
                amount_empty=amount.get('amount_empty'), partner=partner.get('partner'),
                partner_empty=partner.get('partner_empty'))
            with self.subTest(criteria=criteria):
                self.assertEqual(self.found(**criteria), expected)
            checked += 1
        self.assertEqual(checked, 100)

    def test_examples_a_clerk_would_try(self):
        self.assertEqual(self.found(partner_id=self.vendor.id, date_from='2026-04-01', date_to='2026-04-30',
                                    amount_min='1,000,000'), {'S02'})
        self.assertEqual(self.found(date_empty=True), {'S06', 'S09'})
        self.assertEqual(self.found(amount_empty=True), {'S07', 'S09'})
        self.assertEqual(self.found(partner_empty=True), {'S08', 'S09'})
        self.assertEqual(self.found(date_empty=True, amount_empty=True, partner_empty=True), {'S09'})
        self.assertEqual(self.found(), set(self.contracts))

    def test_counterparty_includes_its_contacts(self):
        contact = self.env['res.partner'].create({'name': 'Hanako Other', 'parent_id': self.other.id})
        self.make_contract('S10', partner_id=contact.id, transaction_date='2026-04-11', amount=1)
        self.assertEqual(self.found(partner_id=self.other.id, extra=['S10']), {'S04', 'S05', 'S10'})

    def test_free_text_on_title_and_number(self):
        self.assertEqual(self.found(text='S03'), {'S03'})
        self.assertEqual(self.found(text='業務委託契約 S0'), set(self.contracts))
        self.assertEqual(self.found(text='keiyaku-2025'), {'S05'}, 'the contract reference too')
        self.assertEqual(self.found(text='no such contract'), set())

    def test_search_view_filters_for_empty_values(self):
        Contract = self.env['esign.contract'].with_user(self.auditor)
        for filter_name, expected in (('no_transaction_date', {'S06', 'S09'}), ('no_amount', {'S07', 'S09'}),
                                      ('no_partner', {'S08', 'S09'})):
            view = self.env.ref('esign_municipal.esign_contract_view_search')
            self.assertIn(f'name="{filter_name}"', view.arch_db)
            domain = {'no_transaction_date': [('transaction_date', '=', False)],
                      'no_amount': [('amount', '=', False)], 'no_partner': [('partner_id', '=', False)]}[filter_name]
            found = set(Contract.search(domain + [('number', 'in', list(self.contracts))]).mapped('number'))
            self.assertEqual(found, expected)

    def test_list_view_search_read_as_the_web_client_does(self):
        view = self.env.ref('esign_municipal.esign_contract_view_list')
        fields = [name for name in ('transaction_date', 'amount', 'currency_id', 'partner_id', 'number', 'name')
                  if f'name="{name}"' in view.arch_db]
        domain = [('partner_id', '=', self.vendor.id), ('transaction_date', '>=', '2026-04-01'),
                  ('transaction_date', '<=', '2026-05-31'), ('amount', '>=', 400000), ('amount', '<=', 2000000)]
        rows = self.env['esign.contract'].with_user(self.auditor).search_read(domain, fields, limit=80)
        self.assertEqual([row['number'] for row in rows], ['S02', 'S01'], 'newest transaction first')

    def test_bad_criteria_get_clear_messages(self):
        for criteria, message in (
                ({'amount_min': 'abc'}, 'must be a number'),
                ({'amount_min': '2,000', 'amount_max': '1,000'}, 'larger than the upper'),
                ({'date_from': '2026-05-01', 'date_to': '2026-04-01'}, 'comes after'),
                ({'date_empty': True, 'date_from': '2026-05-01'}, 'not both'),
                ({'partner_empty': True, 'partner_id': self.vendor.id}, 'not both')):
            with self.subTest(criteria=criteria), self.assertRaisesRegex(UserError, message):
                self.env['esign.contract.search.wizard'].with_user(self.auditor).create(criteria)._esign_domain()

    def test_users_find_only_their_contracts(self):
        mine = self.found(user=self.officer)
        self.assertEqual(mine, set(self.contracts))
        self.assertEqual(self.found(user=self.approver), set(), 'another user sees none of the officer\'s')
        action = self.env['esign.contract.search.wizard'].with_user(self.officer).create(
            {'partner_empty': True}).action_search()
        self.assertEqual(action['res_model'], 'esign.contract')
        self.assertIn(('partner_id', '=', False), action['domain'])


def _number(text):
    if text is None:
        return None
    return float(text.replace(',', '').replace('￥', ''))
