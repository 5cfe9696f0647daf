import os
import unittest

from dotenv import DotenvError, parse_dotenv


class DotenvTests(unittest.TestCase):
    def assertErrorAt(self, text, line):
        with self.assertRaises(DotenvError, msg=repr(text)) as caught:
            parse_dotenv(text)
        self.assertEqual(caught.exception.line, line, repr(text))

    def test_simple_assignments_blank_lines_and_comments(self):
        text = "# settings\nHOST=localhost\n\n   \n  # indented comment\nPORT=8080\n"
        self.assertEqual(parse_dotenv(text), {"HOST": "localhost", "PORT": "8080"})

    def test_whitespace_around_name_and_value(self):
        text = "  A = 1 \n\tB\t=\tx y\t\nC=\n D =   \n"
        self.assertEqual(parse_dotenv(text), {"A": "1", "B": "x y", "C": "", "D": ""})

    def test_export_prefix(self):
        text = "export API_KEY=abc\nexport\tTOKEN=t\nexported=1\nexport=2\n"
        self.assertEqual(parse_dotenv(text),
                         {"API_KEY": "abc", "TOKEN": "t", "exported": "1", "export": "2"})

    def test_unquoted_comments_need_whitespace_before_the_hash(self):
        text = "A=abc # trailing note\nB=a#b\nC= # only a comment\nD=x\t#y\nE=#f\n"
        self.assertEqual(parse_dotenv(text), {"A": "abc", "B": "a#b", "C": "", "D": "x", "E": "#f"})

    def test_unquoted_backslashes_and_quotes_are_literal(self):
        text = 'PATHS=C:\\temp\\n\nQ=it\'s "fine"\n'
        self.assertEqual(parse_dotenv(text), {"PATHS": "C:\\temp\\n", "Q": 'it\'s "fine"'})

    def test_single_quotes_are_literal(self):
        text = "A=' spaced # not a comment ${B} \\n '\nB=''  # empty\n"
        self.assertEqual(parse_dotenv(text), {"A": " spaced # not a comment ${B} \\n ", "B": ""})

    def test_double_quote_escapes(self):
        text = 'MSG="line1\\nline2\\tTabbed \\"quoted\\" back\\\\slash \\$5"   # note\n'
        self.assertEqual(parse_dotenv(text),
                         {"MSG": 'line1\nline2\tTabbed "quoted" back\\slash $5'})

    def test_interpolation_uses_earlier_lines_then_environ(self):
        text = ('USER=ann\nHOME_DIR=/home/${USER}\nURL="http://${HOST}:${PORT}/"\nHOST=late\n'
                "RAW='${USER}'\n")
        environ = {"PORT": "9000", "USER": "ignored"}
        result = parse_dotenv(text, environ)
        self.assertEqual(result["HOME_DIR"], "/home/ann")
        self.assertEqual(result["URL"], "http://:9000/")
        self.assertEqual(result["RAW"], "${USER}")
        self.assertEqual(environ, {"PORT": "9000", "USER": "ignored"})

    def test_process_environment_is_never_used(self):
        os.environ["DOTENV_TEST_SECRET"] = "leaked"
        try:
            self.assertEqual(parse_dotenv("A=x${DOTENV_TEST_SECRET}y\n"), {"A": "xy"})
            self.assertEqual(parse_dotenv("A=${DOTENV_TEST_SECRET}", {}), {"A": ""})
        finally:
            del os.environ["DOTENV_TEST_SECRET"]

    def test_lone_dollar_is_literal_and_substitutions_are_not_reinterpolated(self):
        text = "PRICE=$5 and $ {X}\nT='${A}'\nU=${T}\nV=\"$x ${U}\"\n"
        self.assertEqual(parse_dotenv(text),
                         {"PRICE": "$5 and $ {X}", "T": "${A}", "U": "${A}", "V": "$x ${A}"})

    def test_later_assignment_wins(self):
        text = "A=1\nB=${A}\nA=2\nC=${A}\n"
        self.assertEqual(parse_dotenv(text), {"A": "2", "B": "1", "C": "2"})

    def test_crlf_line_endings(self):
        self.assertEqual(parse_dotenv("A=1\r\nB='two'\r\n\r\nC=\"3\"\r\n"),
                         {"A": "1", "B": "two", "C": "3"})

    def test_structural_errors_report_the_line(self):
        self.assertErrorAt("A=1\nJUST_A_NAME\n", 2)
        self.assertErrorAt("A=1\n\n1ABC=2\n", 3)
        self.assertErrorAt("MY-KEY=1\n", 1)
        self.assertErrorAt("A=1\n=2\n", 2)

    def test_quote_errors_report_the_line(self):
        self.assertErrorAt("A='open\n", 1)
        self.assertErrorAt('A=1\nB="open\n', 2)
        self.assertErrorAt("A='x' y\n", 1)
        self.assertErrorAt('A="x"y\n', 1)
        self.assertErrorAt('A=1\nB="bad \\q escape"\n', 2)
        self.assertErrorAt('A="ends with backslash\\', 1)

    def test_text_right_after_a_closing_quote_is_an_error(self):
        self.assertErrorAt("A=1\nB='x'y\n", 2)
        self.assertErrorAt("A='x'y #c\n", 1)
        self.assertEqual(parse_dotenv("A='x'\t# c\nB='y'\n"), {"A": "x", "B": "y"})

    def test_interpolation_errors_report_the_line(self):
        self.assertErrorAt("A=${B\n", 1)
        self.assertErrorAt('A=1\nB="${A"\n', 2)
        self.assertErrorAt("A=1\nB=2\nC=${A-B}\n", 3)
        self.assertErrorAt("A=${}\n", 1)


if __name__ == "__main__":
    unittest.main()
