import os
import tempfile
import unittest
from datetime import date
from decimal import Decimal

from ledger import load_transactions, monthly_totals, parse_amount, read_table

BOM = b"\xef\xbb\xbf"


class LedgerTests(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)

    def write(self, name, text, bom=False):
        path = os.path.join(self._tmp.name, name)
        with open(path, "wb") as handle:
            handle.write((BOM if bom else b"") + text.encode("utf-8"))
        return path

    def test_bom_file_with_id_first_deduplicates_overlap(self):
        a = self.write("a.csv", "ID,Date,Category,Amount\r\nt1,2024-05-30,food,-10.00\r\nt2,2024-05-31,food,-2.50\r\n", bom=True)
        b = self.write("b.csv", "ID,Date,Category,Amount\r\nt2,2024-05-31,food,-2.50\r\nt3,2024-06-01,food,-1.00\r\n", bom=True)
        self.assertEqual(monthly_totals([a, b]), [("2024-05", "food", Decimal("-12.50")), ("2024-06", "food", Decimal("-1.00"))])

    def test_bom_file_ids_are_read(self):
        a = self.write("a.csv", "id,date,category,amount\nx-9,2024-01-02,misc,5\n", bom=True)
        [tx] = load_transactions([a])
        self.assertEqual(tx.id, "x-9")

    def test_bom_file_with_date_first_loads(self):
        a = self.write("a.csv", "Date,Category,Amount\n2024-02-29,fuel,-40.00\n", bom=True)
        txs = load_transactions([a])
        self.assertEqual([(t.id, t.day, t.category, t.amount) for t in txs], [(None, date(2024, 2, 29), "fuel", Decimal("-40.00"))])

    def test_read_table_strips_bom_from_header(self):
        a = self.write("a.csv", " Date ,AMOUNT,Category\n2024-02-29, 7 ,x\n", bom=True)
        columns, rows = read_table(a)
        self.assertEqual(columns, ["date", "amount", "category"])
        self.assertEqual(rows, [{"date": "2024-02-29", "amount": "7", "category": "x"}])

    def test_mixed_bom_and_plain_files_deduplicate_across(self):
        a = self.write("a.csv", "id,date,category,amount\nk1,2024-03-01,rent,-900\n")
        b = self.write("b.csv", "id,date,category,amount\nk1,2024-03-01,rent,-900\nk2,2024-03-02,rent,-1\n", bom=True)
        self.assertEqual([t.id for t in load_transactions([a, b])], ["k1", "k2"])

    def test_non_ascii_text_is_kept(self):
        a = self.write("a.csv", "id,date,category,amount\nc1,2024-05-31,café,-4.80\nc2,2024-05-31,Straße,-1\n", bom=True)
        self.assertEqual([t.category for t in load_transactions([a])], ["café", "Straße"])

    def test_rows_without_id_are_never_deduplicated(self):
        a = self.write("a.csv", "id,date,category,amount\n,2024-03-01,coffee,-3\n,2024-03-01,coffee,-3\n")
        b = self.write("b.csv", "date,category,amount\n2024-03-01,coffee,-3\n")
        self.assertEqual(monthly_totals([a, b]), [("2024-03", "coffee", Decimal("-9"))])

    def test_duplicate_id_within_one_file_keeps_first(self):
        a = self.write("a.csv", "id,date,category,amount\nd1,2024-03-01,a,-1\nd1,2024-04-01,b,-2\n")
        txs = load_transactions([a])
        self.assertEqual([(t.day, t.category) for t in txs], [(date(2024, 3, 1), "a")])

    def test_missing_required_column_raises(self):
        a = self.write("a.csv", "id,date,amount\n1,2024-03-01,-1\n", bom=True)
        with self.assertRaises(ValueError):
            load_transactions([a])

    def test_blank_lines_and_empty_file(self):
        a = self.write("a.csv", "date,category,amount\n\n2024-03-01,a,1\n,,\n")
        self.assertEqual(len(load_transactions([a])), 1)
        empty = self.write("empty.csv", "")
        self.assertEqual(read_table(empty), ([], []))

    def test_amount_formats(self):
        self.assertEqual(parse_amount("1,234.50"), Decimal("1234.50"))
        self.assertEqual(parse_amount(" (12.00) "), Decimal("-12.00"))
        self.assertEqual(parse_amount("-3.5"), Decimal("-3.5"))
        with self.assertRaises(ValueError):
            parse_amount("abc")

    def test_summary_sorted_by_month_then_category(self):
        a = self.write("a.csv", "date,category,amount\n2024-04-02,b,1\n2024-03-05,z,2\n2024-04-01,a,3\n2024-03-09,z,4\n", bom=True)
        self.assertEqual(
            monthly_totals([a]),
            [("2024-03", "z", Decimal("6")), ("2024-04", "a", Decimal("3")), ("2024-04", "b", Decimal("1"))],
        )


if __name__ == "__main__":
    unittest.main()
