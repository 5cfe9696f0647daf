import unittest
from decimal import Decimal

from tripledger.balances import net_balances, settle_up
from tripledger.model import Expense, LedgerError, Transfer
from tripledger.money import UnknownCurrency

RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.17")}


def balances(*expenses):
    return net_balances(list(expenses), "EUR", RATES)


def eur(payer, amount, shares, description="x"):
    return Expense(description, payer, amount, "EUR", shares)


class NetBalanceTests(unittest.TestCase):
    def test_equal_split_among_listed_names(self):
        self.assertEqual(balances(eur("ann", 9000, ["ann", "bob", "cat"])),
                         {"ann": 6000, "bob": -3000, "cat": -3000})

    def test_payer_need_not_take_part(self):
        self.assertEqual(balances(eur("dan", 1000, ["ann", "bob"])),
                         {"dan": 1000, "ann": -500, "bob": -500})

    def test_weighted_shares(self):
        self.assertEqual(balances(eur("ann", 1000, {"ann": 1, "bob": 3})), {"ann": 750, "bob": -750})

    def test_left_over_cents_follow_alphabetical_order_of_names(self):
        self.assertEqual(balances(eur("ann", 100, ["cat", "bob", "ann"])),
                         {"ann": 66, "bob": -33, "cat": -33})
        self.assertEqual(balances(eur("amy", 101, {"zed": 1, "amy": 1})), {"amy": 50, "zed": -50})

    def test_expenses_accumulate(self):
        result = balances(
            eur("ann", 3000, ["ann", "bob", "cat"]),
            eur("bob", 1200, ["bob", "cat"]),
            eur("cat", 500, {"ann": 1, "bob": 4}),
        )
        self.assertEqual(result, {"ann": 1900, "bob": -800, "cat": -1100})

    def test_settled_people_are_left_out(self):
        self.assertEqual(balances(eur("ann", 1000, ["ann", "bob"]), eur("bob", 1000, ["ann", "bob"])), {})
        self.assertEqual(balances(eur("ann", 1234, ["ann"])), {})
        self.assertEqual(balances(), {})

    def test_amount_is_converted_before_it_is_split(self):
        # 1001 USD cents -> 921 EUR cents, split 307/307/307
        expense = Expense("taxi", "bob", 1001, "USD", ["ann", "bob", "cat"])
        self.assertEqual(balances(expense), {"bob": 614, "ann": -307, "cat": -307})

    def test_conversion_rounds_half_to_even(self):
        # 50 GBP cents * 1.17 = 58.5 -> 58
        self.assertEqual(balances(Expense("tip", "ann", 50, "GBP", ["bob"])), {"ann": 58, "bob": -58})

    def test_unknown_currency_is_rejected(self):
        with self.assertRaises(UnknownCurrency):
            balances(Expense("museum", "ann", 1000, "CHF", ["ann", "bob"]))

    def test_amount_must_be_positive(self):
        for amount in (0, -500):
            with self.assertRaises(LedgerError):
                balances(eur("ann", amount, ["ann", "bob"]))

    def test_smallest_positive_amount_is_accepted(self):
        self.assertEqual(balances(eur("ann", 1, ["bob"])), {"ann": 1, "bob": -1})
        self.assertEqual(balances(eur("ann", 1, ["cat", "bob"])), {"ann": 1, "bob": -1})

    def test_expense_needs_participants(self):
        for shares in ([], {}):
            with self.assertRaises(LedgerError):
                balances(eur("ann", 1000, shares))

    def test_name_listed_twice_is_rejected(self):
        with self.assertRaises(LedgerError):
            balances(eur("ann", 1000, ["ann", "bob", "ann"]))

    def test_weights_must_be_positive_ints(self):
        for bad in (0, -1, 1.5, True):
            with self.assertRaises(LedgerError, msg=repr(bad)):
                balances(eur("ann", 1000, {"ann": 1, "bob": bad}))

    def test_settle_up_uses_the_balances(self):
        transfers = settle_up([
            eur("ann", 3000, ["ann", "bob", "cat"]),
            Expense("ferry", "bob", 1000, "GBP", ["ann", "bob", "cat", "dan"]),
        ], "EUR", RATES)
        self.assertEqual(transfers, [
            Transfer("cat", "ann", 1292),
            Transfer("dan", "ann", 292),
            Transfer("bob", "ann", 123),
        ])


if __name__ == "__main__":
    unittest.main()
