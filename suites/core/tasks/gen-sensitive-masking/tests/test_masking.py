import unittest

from masking import mask_card, mask_email


class MaskCardTests(unittest.TestCase):
    def test_plain_digits(self):
        self.assertEqual(mask_card("4111111111111234"), "************1234")

    def test_separators_stay_in_place(self):
        self.assertEqual(mask_card("4111-1111-1111-1234"), "****-****-****-1234")
        self.assertEqual(mask_card("4111 1111 1111 1234"), "**** **** **** 1234")
        self.assertEqual(mask_card("41-11 1111111 123 4"), "**-** ******* 123 4")

    def test_visible_digits_count_across_separators(self):
        self.assertEqual(mask_card("4111 1111 1111 1234", visible=6), "**** **** **11 1234")
        self.assertEqual(mask_card("4111 1111 1111 1234", visible=0), "**** **** **** ****")
        self.assertEqual(mask_card("4111 1111 1111 1234", visible=1), "**** **** **** ***4")

    def test_custom_mask_char(self):
        self.assertEqual(mask_card("5500-0000-0000-0004", mask_char="#"), "####-####-####-0004")

    def test_digit_count_limits(self):
        self.assertEqual(mask_card("123456789012"), "********9012")
        self.assertEqual(mask_card("1234567890123456789"), "***************6789")
        with self.assertRaises(ValueError):
            mask_card("12345678901")
        with self.assertRaises(ValueError):
            mask_card("12345678901234567890")
        with self.assertRaises(ValueError):
            mask_card("1234-5678-901")

    def test_other_characters_are_rejected(self):
        for number in ["4111x111111111234", "4111.1111.1111.1234", "4111\t1111 1111 1234",
                       "+4111111111111234", "٤111111111111234"]:
            with self.assertRaises(ValueError, msg=repr(number)):
                mask_card(number)

    def test_invalid_options_are_rejected(self):
        number = "4111111111111234"
        for kwargs in [{"visible": -1}, {"visible": 7}, {"mask_char": ""},
                       {"mask_char": "**"}, {"mask_char": "0"}]:
            with self.assertRaises(ValueError, msg=repr(kwargs)):
                mask_card(number, **kwargs)


class MaskEmailTests(unittest.TestCase):
    def test_middle_of_local_part_is_masked(self):
        self.assertEqual(mask_email("john.doe@example.com"), "j******e@example.com")
        self.assertEqual(mask_email("abc@d.io"), "a*c@d.io")

    def test_short_local_parts_are_fully_masked(self):
        self.assertEqual(mask_email("jo@x.org"), "**@x.org")
        self.assertEqual(mask_email("j@x.org"), "*@x.org")

    def test_domain_is_kept(self):
        self.assertEqual(mask_email("Mary@Sub.Example.COM"), "M**y@Sub.Example.COM")

    def test_invalid_addresses_raise(self):
        for address in ["no-at-sign", "@example.com", "user@", "a@b@c", ""]:
            with self.assertRaises(ValueError, msg=repr(address)):
                mask_email(address)


if __name__ == "__main__":
    unittest.main()
