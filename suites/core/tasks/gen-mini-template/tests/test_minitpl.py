import unittest

from minitpl import TemplateError, render, tokenize
from minitpl.lexer import tokenize as lexer_tokenize
from minitpl.render import render as render_render


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class TokenizeTests(unittest.TestCase):
    def test_plain_text_is_one_token(self):
        self.assertEqual(lexer_tokenize("Hello,\n  world! { } }}"), [("text", "Hello,\n  world! { } }}")])
        self.assertEqual(tokenize(""), [])

    def test_vars_and_tags_are_stripped(self):
        self.assertEqual(
            tokenize("Hi {{  user.name | upper }}!{%if admin%}*{% endif %}"),
            [("text", "Hi "), ("var", "user.name | upper"), ("text", "!"), ("tag", "if admin"),
             ("text", "*"), ("tag", "endif")])

    def test_adjacent_delimiters_produce_no_empty_text(self):
        self.assertEqual(tokenize("{{a}}{{ b }}{% c %}"),
                         [("var", "a"), ("var", "b"), ("tag", "c")])
        self.assertEqual(tokenize("{{ }}"), [("var", "")])

    def test_delimiters_end_at_the_first_closer(self):
        self.assertEqual(tokenize("{{ a %} b }} }}"), [("var", "a %} b"), ("text", " }}")])
        self.assertEqual(tokenize("{% x }} %}y"), [("tag", "x }}"), ("text", "y")])

    def test_closer_right_after_the_opener(self):
        self.assertEqual(tokenize("{{}}"), [("var", "")])
        self.assertEqual(tokenize("{%%}"), [("tag", "")])
        self.assertEqual(tokenize("a{{}}}b"), [("text", "a"), ("var", ""), ("text", "}b")])
        self.assertEqual(tokenize("{%%}%}"), [("tag", ""), ("text", "%}")])

    def test_unclosed_delimiters_raise(self):
        for source in ["abc {{ name", "{% if x", "{{ x %}", "ok {{ a }} then {%"]:
            with self.assertRaises(TemplateError, msg=repr(source)):
                tokenize(source)


class RenderTests(unittest.TestCase):
    def test_variables_and_text(self):
        self.assertEqual(render_render("Hi {{ name }}, you are {{age}}.\n", {"name": "Ann", "age": 41}),
                         "Hi Ann, you are 41.\n")

    def test_missing_and_none_render_empty(self):
        self.assertEqual(render("[{{ nope }}][{{ nothing }}][{{ zero }}]", {"nothing": None, "zero": 0}),
                         "[][][0]")

    def test_dotted_paths_use_keys_for_dicts_and_attributes_otherwise(self):
        context = {"user": {"name": "Bo", "home": Point(3, 4)}, "p": Point(1, 2)}
        self.assertEqual(render("{{ user.name }} {{ user.home.y }} {{ p.x }}", context), "Bo 4 1")
        self.assertEqual(render("[{{ user.age }}][{{ p.z }}][{{ p.x.real.nope }}][{{ ghost.a.b }}]", context),
                         "[][][][]")
        self.assertEqual(render("{{ d.keys }}", {"d": {"a": 1}}), "")

    def test_filters_apply_left_to_right(self):
        context = {"name": "  Mixed Case  ", "html": "<a href=\"x\">Tom & Jerry's</a>"}
        self.assertEqual(render("[{{ name | strip | upper }}]", context), "[MIXED CASE]")
        self.assertEqual(render("[{{ name|lower }}]", context), "[  mixed case  ]")
        self.assertEqual(render("{{ html | escape }}", context),
                         "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        self.assertEqual(render("{{ missing | upper }}|{{ n | strip }}", {"n": 7}), "|7")

    def test_bad_expressions_raise(self):
        for source in ["{{ }}", "{{ a..b }}", "{{ a b }}", "{{ a | }}", "{{ 1a }}", "{{ a. }}",
                       "{{ a | shout }}", "{{ | upper }}", "{{ a . b }}"]:
            with self.assertRaises(TemplateError, msg=repr(source)):
                render(source, {"a": "x"})

    def test_if_else_uses_python_truthiness(self):
        template = "{% if v %}yes{% else %}no{% endif %}"
        for value, expected in [(1, "yes"), ("x", "yes"), ([0], "yes"), (0, "no"), ("", "no"),
                                ([], "no"), (None, "no")]:
            self.assertEqual(render(template, {"v": value}), expected, repr(value))
        self.assertEqual(render(template, {}), "no")
        self.assertEqual(render("a{% if v %}b{% endif %}c", {"v": False}), "ac")

    def test_if_not(self):
        template = "{% if not user.admin %}guest{% else %}admin{% endif %}"
        self.assertEqual(render(template, {"user": {"admin": True}}), "admin")
        self.assertEqual(render(template, {"user": {}}), "guest")

    def test_nested_ifs(self):
        template = ("{% if a %}A{% if b %}B{% else %}b{% endif %}{% else %}"
                    "{% if not b %}nb{% endif %}x{% endif %}.")
        self.assertEqual(render(template, {"a": 1, "b": 1}), "AB.")
        self.assertEqual(render(template, {"a": 1, "b": 0}), "Ab.")
        self.assertEqual(render(template, {"a": 0, "b": 0}), "nbx.")
        self.assertEqual(render(template, {"a": 0, "b": 1}), "x.")

    def test_block_structure_errors_raise(self):
        for source in ["{% else %}", "x{% endif %}", "{% if a %}open", "{% if a %}1{% else %}2{% else %}3{% endif %}",
                       "{% for x in a %}{% endfor %}", "{% if %}x{% endif %}", "{% if a b %}x{% endif %}",
                       "{% if a %}{% endif %}{% endif %}", "{% %}",
                       "{% endif x %}"]:
            with self.assertRaises(TemplateError, msg=repr(source)):
                render(source, {"a": 1})

    def test_unknown_tags_inside_an_if_raise(self):
        for source in ["{% if a %}x{% endif extra %}", "{% if a %}x{% bogus %}",
                       "{% if a %}x{% else %}y{% end %}", "{% if a %}x{% else now %}y{% endif %}"]:
            with self.assertRaises(TemplateError, msg=repr(source)):
                render(source, {"a": 1})

    def test_errors_in_branches_not_taken_are_reported(self):
        for source in ["{% if a %}ok{% else %}{{ a | shout }}{% endif %}",
                       "{% if not a %}{% bogus %}{% endif %}",
                       "{% if a %}ok{% else %}{% if %}{% endif %}{% endif %}",
                       "{% if missing %}{{ a..b }}{% endif %}"]:
            with self.assertRaises(TemplateError, msg=repr(source)):
                render(source, {"a": 1})


if __name__ == "__main__":
    unittest.main()
