import os
import tempfile
import unittest
from decimal import Decimal

from ledger import monthly_totals, parse_amount


class VisibleLedgerTests(unittest.TestCase):
    def test_parse_amount(self):
        self.assertEqual(parse_amount("1,234.50"), Decimal("1234.50"))
        self.assertEqual(parse_amount("(12.00)"), Decimal("-12.00"))

    def test_overlapping_bank_exports(self):
        with tempfile.TemporaryDirectory() as tmp:
            first = os.path.join(tmp, "a.csv")
            second = os.path.join(tmp, "b.csv")
            with open(first, "w", encoding="utf-8", newline="") as f:
                f.write("id,date,category,amount\nb1,2024-03-30,rent,-900\nb2,2024-03-31,food,-10\n")
            with open(second, "w", encoding="utf-8", newline="") as f:
                f.write("id,date,category,amount\nb2,2024-03-31,food,-10\nb3,2024-04-01,food,-5\n")
            self.assertEqual(
                monthly_totals([first, second]),
                [("2024-03", "food", Decimal("-10")), ("2024-03", "rent", Decimal("-900")),
                 ("2024-04", "food", Decimal("-5"))],
            )


if __name__ == "__main__":
    unittest.main()
