import unittest
from datetime import date

from circulation.calendar import STANDARD, BranchCalendar
from circulation.fines import Loan, fine_for, overdue_report, total_fines
from circulation.policy import UnknownMaterial

FAR_FUTURE = date(2030, 1, 1)


def returned(material, due, on):
    return fine_for(Loan("x", material, due, returned=on), STANDARD, FAR_FUTURE)


class FineTests(unittest.TestCase):
    def test_returned_on_time_is_free(self):
        self.assertEqual(returned("book", date(2024, 3, 6), date(2024, 3, 6)), 0)
        self.assertEqual(returned("laptop", date(2024, 3, 6), date(2024, 3, 1)), 0)

    def test_overdue_within_the_grace_period_is_free(self):
        # due Wednesday, back Friday: 2 overdue open days, books have 2 grace days
        self.assertEqual(returned("book", date(2024, 3, 6), date(2024, 3, 8)), 0)

    def test_past_the_grace_period_every_overdue_day_is_charged(self):
        # back Saturday: 3 overdue open days x 25 cents
        self.assertEqual(returned("book", date(2024, 3, 6), date(2024, 3, 9)), 75)

    def test_no_grace_for_magazines(self):
        self.assertEqual(returned("magazine", date(2024, 3, 6), date(2024, 3, 7)), 10)

    def test_sundays_are_not_counted(self):
        # due Friday 8 March; Sat 9 and Mon 11 are open, Sun 10 is closed
        self.assertEqual(returned("book", date(2024, 3, 8), date(2024, 3, 11)), 0)
        self.assertEqual(returned("book", date(2024, 3, 8), date(2024, 3, 12)), 75)

    def test_holidays_are_not_counted(self):
        # due Mon 23 Dec; 24, 26 and 27 are open, 25 is a holiday: 3 days x 100 cents
        self.assertEqual(returned("dvd", date(2024, 12, 23), date(2024, 12, 27)), 300)

    def test_fine_is_capped_per_loan(self):
        self.assertEqual(returned("laptop", date(2024, 3, 1), date(2024, 3, 30)), 10000)
        self.assertEqual(returned("laptop", date(2024, 3, 1), date(2024, 3, 5)), 1500)

    def test_unreturned_loan_is_fined_up_to_today(self):
        loan = Loan("b1", "book", date(2024, 3, 6))
        self.assertEqual(fine_for(loan, STANDARD, date(2024, 3, 9)), 75)
        self.assertEqual(fine_for(loan, STANDARD, date(2024, 3, 5)), 0)

    def test_returned_loan_ignores_today(self):
        loan = Loan("b1", "book", date(2024, 3, 6), returned=date(2024, 3, 11))
        # Thu, Fri, Sat, Mon: 4 overdue open days
        self.assertEqual(fine_for(loan, STANDARD, date(2024, 6, 1)), 100)

    def test_the_given_calendar_is_used(self):
        always_open = BranchCalendar(closed_weekdays=())
        loan = Loan("d1", "dvd", date(2024, 3, 8), returned=date(2024, 3, 12))
        self.assertEqual(fine_for(loan, always_open, FAR_FUTURE), 400)
        self.assertEqual(fine_for(loan, STANDARD, FAR_FUTURE), 300)

    def test_unknown_material_is_rejected(self):
        with self.assertRaises(UnknownMaterial):
            fine_for(Loan("m1", "vinyl", date(2024, 3, 6)), STANDARD, date(2024, 3, 1))

    def test_patron_totals_and_report(self):
        loans = [
            Loan("b1", "book", date(2024, 3, 6), returned=date(2024, 3, 9)),
            Loan("m1", "magazine", date(2024, 3, 6)),
            Loan("d1", "dvd", date(2024, 3, 12)),
        ]
        today = date(2024, 3, 9)
        self.assertEqual(total_fines(loans, STANDARD, today), 105)
        self.assertEqual(overdue_report(loans, STANDARD, today), [("b1", 75), ("m1", 30)])


if __name__ == "__main__":
    unittest.main()
