import unittest
from decimal import Decimal as D

from invoice import Invoice, InvoiceError, Line, line_net


class LineNetTests(unittest.TestCase):
    def test_quantity_times_unit_price_in_cents(self):
        net = line_net(Line("Widget", D("2"), D("10")))
        self.assertEqual(net, D("20.00"))
        self.assertEqual(str(net), "20.00")

    def test_fractional_quantity(self):
        self.assertEqual(line_net(Line("Cable, metres", D("2.5"), D("3.99"))), D("9.98"))

    def test_half_cent_rounds_away_from_zero(self):
        self.assertEqual(line_net(Line("Screws", D("3"), D("1.655"))), D("4.97"))

    def test_percentage_discount_is_subtracted(self):
        self.assertEqual(line_net(Line("Desk", D("2"), D("10"), D("15"))), D("17.00"))
        self.assertEqual(line_net(Line("Gift", D("1"), D("49.99"), D("100"))), D("0.00"))

    def test_rounding_happens_once_after_the_discount(self):
        # 3 × 0.335 = 1.005; less 10 % = 0.9045 -> 0.90 (rounding the gross first would give 0.91)
        self.assertEqual(line_net(Line("Washers", D("3"), D("0.335"), D("10"))), D("0.90"))

    def test_free_line_is_allowed(self):
        self.assertEqual(line_net(Line("Sample", D("4"), D("0"))), D("0.00"))

    def test_quantity_must_be_positive(self):
        with self.assertRaises(InvoiceError):
            line_net(Line("Nothing", D("0"), D("5")))
        with self.assertRaises(InvoiceError):
            line_net(Line("Return", D("-1"), D("5")))

    def test_unit_price_must_not_be_negative(self):
        with self.assertRaises(InvoiceError):
            line_net(Line("Credit", D("1"), D("-0.01")))

    def test_discount_must_be_between_0_and_100(self):
        with self.assertRaises(InvoiceError):
            line_net(Line("Bad", D("1"), D("5"), D("-1")))
        with self.assertRaises(InvoiceError):
            line_net(Line("Bad", D("1"), D("5"), D("100.01")))


class InvoiceTests(unittest.TestCase):
    def test_invoice_total_adds_tax_per_rate(self):
        invoice = Invoice("2024-117")
        invoice.add(Line("Screws", D("3"), D("1.655")))
        invoice.add(Line("Desk", D("2"), D("10"), D("15"), D("0.20")))
        self.assertEqual(invoice.subtotal(), D("21.97"))
        self.assertEqual(invoice.total(), D("25.37"))

    def test_bad_line_is_rejected_when_added(self):
        invoice = Invoice("2024-118")
        with self.assertRaises(InvoiceError):
            invoice.add(Line("Nothing", D("0"), D("5")))
        self.assertEqual(invoice.lines, [])


if __name__ == "__main__":
    unittest.main()
