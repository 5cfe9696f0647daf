import textwrap
import unittest

from iniconf import Config, ConfigError, parse


def ini(text):
    return parse(textwrap.dedent(text))


class SectionTests(unittest.TestCase):
    def test_keys_before_any_header_go_to_the_unnamed_section(self):
        result = ini("""\
            name = billing
            [database]
            host = db.internal
            """)
        self.assertEqual(result, {"": {"name": "billing"}, "database": {"host": "db.internal"}})

    def test_section_names_are_stripped_and_case_sensitive(self):
        result = ini("""\
            [ Database ]
            host = a
            [database]
            host = b
            """)
        self.assertEqual(result["Database"], {"host": "a"})
        self.assertEqual(result["database"], {"host": "b"})

    def test_reopened_section_keeps_its_keys(self):
        result = ini("""\
            [web]
            port = 80
            [db]
            port = 5432
            [web]
            workers = 4
            """)
        self.assertEqual(result["web"], {"port": "80", "workers": "4"})
        self.assertEqual(result["db"], {"port": "5432"})

    def test_header_without_closing_bracket_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini("""\
                [ok]
                a = 1
                [broken
                """)
        self.assertEqual(caught.exception.line_no, 3)

    def test_empty_section_name_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini("a = 1\n[  ]\n")
        self.assertEqual(caught.exception.line_no, 2)

    def test_header_ends_a_continued_value(self):
        result = ini("""\
            [a]
            hosts = one
            [b]
              extra = 2
            """)
        self.assertEqual(result["a"], {"hosts": "one"})
        self.assertEqual(result["b"], {"extra": "2"})


class KeyValueTests(unittest.TestCase):
    def test_keys_are_lower_cased_and_values_stripped(self):
        config = Config("[Server]\n  Listen_Port   =   8080   \n")
        self.assertEqual(config.sections["Server"], {"listen_port": "8080"})
        self.assertEqual(config.get_int("Server", "LISTEN_PORT"), 8080)

    def test_first_separator_wins(self):
        result = ini("""\
            url: http://example.test/?q=1
            pair = left:right
            """)
        self.assertEqual(result[""], {"url": "http://example.test/?q=1", "pair": "left:right"})

    def test_quoted_values_are_unquoted(self):
        result = ini("""\
            motd = "Welcome; please log in"  ; greeting
            quote = "say \\"hi\\""
            blank = ""
            """)
        self.assertEqual(result[""], {"motd": "Welcome; please log in", "quote": 'say "hi"', "blank": ""})

    def test_unterminated_quote_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini('a = 1\nb = "oops\n')
        self.assertEqual(caught.exception.line_no, 2)

    def test_empty_value_is_allowed(self):
        self.assertEqual(ini("password =\n")[""], {"password": ""})

    def test_value_continues_on_indented_lines(self):
        config = Config(textwrap.dedent("""\
            [cluster]
            hosts = a.internal
                b.internal
                c.internal

            size = 3
            """))
        self.assertEqual(config.get_list("cluster", "hosts"), ["a.internal", "b.internal", "c.internal"])
        self.assertEqual(config.get("cluster", "size"), "3")

    def test_duplicate_key_in_one_section_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini("[a]\nx = 1\n[b]\nx = 2\n[a]\nX = 3\n")
        self.assertEqual(caught.exception.line_no, 6)

    def test_line_without_separator_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini("[a]\nx = 1\njust some words\n")
        self.assertEqual(caught.exception.line_no, 3)

    def test_missing_key_is_an_error(self):
        with self.assertRaises(ConfigError) as caught:
            ini("[a]\n = 1\n")
        self.assertEqual(caught.exception.line_no, 2)

    def test_separator_without_spaces_around_it(self):
        result = ini("""\
            port=8080
            host:db.internal
            [web]
            path=/a=b
            """)
        self.assertEqual(result[""], {"port": "8080", "host": "db.internal"})
        self.assertEqual(result["web"], {"path": "/a=b"})

    def test_separator_at_the_start_of_the_line_means_a_missing_key(self):
        # the first separator is the "=" at the very start, so the key is empty even though a
        # later ":" would leave text before it
        for line in ("=a:b", ":x=1"):
            with self.assertRaises(ConfigError, msg=line) as caught:
                ini(f"[a]\nok = 1\n{line}\n")
            self.assertEqual(caught.exception.line_no, 3, line)


if __name__ == "__main__":
    unittest.main()
