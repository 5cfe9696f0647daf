import unittest

from acl import PolicyError, parse_policy
from acl.policy import parse_policy as policy_parse_policy

POLICY = """\
# roles
role reader
role writer inherits reader
role auditor
role admin inherits writer, auditor

user ann: reader
user bob : writer
user cid: admin
user dee: auditor, writer

allow reader read docs/**
deny reader read docs/secret/**
allow writer write docs/**
allow writer * drafts/*
deny writer delete drafts/*
allow auditor read docs/secret/*.log
allow admin * docs/secret/**
deny auditor * docs/secret/keys
"""


class ParseTests(unittest.TestCase):
    def test_roles_include_inherited_ones(self):
        policy = policy_parse_policy(POLICY)
        self.assertEqual(policy.roles_of("ann"), {"reader"})
        self.assertEqual(policy.roles_of("bob"), {"writer", "reader"})
        self.assertEqual(policy.roles_of("cid"), {"admin", "writer", "reader", "auditor"})
        self.assertEqual(policy.roles_of("dee"), {"auditor", "writer", "reader"})
        self.assertEqual(policy.roles_of("zed"), set())

    def test_errors_carry_the_line_number(self):
        head = "role a\nrole b inherits a\n"
        cases = [
            ("role c inherits x\n", 3),        # undefined role
            ("role c inherits d\nrole d\n", 3),  # defined too late
            ("role a\n", 3),                   # defined twice
            ("user u: a\n\n# c\nuser u: b\n", 6),
            ("role Admin\n", 3),
            ("user U: a\n", 3),
            ("user u a\n", 3),
            ("user u:\n", 3),
            ("user u: a,, b\n", 3),
            ("allow a READ x\n", 3),
            ("allow a read x/\n", 3),
            ("allow a read x**\n", 3),
            ("allow a read\n", 3),
            ("allow a read x y\n", 3),
            ("deny z read x\n", 3),
            ("permit a read x\n", 3),
            ("role c inherits\n", 3),
            ("  \n\troll a\n", 4),
        ]
        for tail, line in cases:
            with self.assertRaises(PolicyError, msg=repr(tail)) as caught:
                parse_policy(head + tail)
            self.assertEqual(caught.exception.line, line, repr(tail))

    def test_flexible_spacing_is_accepted(self):
        policy = parse_policy("  role a  \nrole b   inherits   a ,a\n\tuser u :b , a\n  allow   a  read  x/* ")
        self.assertEqual(policy.roles_of("u"), {"a", "b"})
        self.assertTrue(policy.is_allowed("u", "read", "x/1"))


class DecisionTests(unittest.TestCase):
    def setUp(self):
        self.policy = parse_policy(POLICY)

    def test_default_is_deny(self):
        self.assertFalse(self.policy.is_allowed("ann", "write", "docs/a"))
        self.assertIsNone(self.policy.explain("ann", "write", "docs/a"))
        self.assertFalse(self.policy.is_allowed("zed", "read", "docs/a"))
        self.assertFalse(self.policy.is_allowed("ann", "read", "other"))

    def test_inherited_roles_grant_access(self):
        self.assertTrue(self.policy.is_allowed("ann", "read", "docs/a/b"))
        self.assertTrue(self.policy.is_allowed("bob", "read", "docs"))
        self.assertTrue(self.policy.is_allowed("bob", "write", "docs/x"))
        self.assertEqual(self.policy.explain("cid", "write", "docs/x"), 14)

    def test_more_specific_rule_wins(self):
        # deny reader read docs/secret/** (2 literal segments) beats allow docs/** (1)
        self.assertFalse(self.policy.is_allowed("ann", "read", "docs/secret/plan"))
        self.assertEqual(self.policy.explain("ann", "read", "docs/secret/plan"), 13)
        # allow auditor read docs/secret/*.log ties with that deny at (2, 1): the deny wins
        self.assertFalse(self.policy.is_allowed("dee", "read", "docs/secret/a.log"))
        self.assertEqual(self.policy.explain("dee", "read", "docs/secret/a.log"), 13)
        # deny auditor * docs/secret/keys has 3 literal segments
        self.assertFalse(self.policy.is_allowed("cid", "read", "docs/secret/keys"))
        self.assertEqual(self.policy.explain("cid", "read", "docs/secret/keys"), 19)

    def test_specific_action_beats_any_action(self):
        # allow admin * docs/secret/** is (2, 0); deny reader read docs/secret/** is (2, 1)
        self.assertFalse(self.policy.is_allowed("cid", "read", "docs/secret/plan"))
        self.assertEqual(self.policy.explain("cid", "read", "docs/secret/plan"), 13)
        self.assertTrue(self.policy.is_allowed("cid", "write", "docs/secret/plan"))
        self.assertEqual(self.policy.explain("cid", "write", "docs/secret/plan"), 18)
        # deny writer delete drafts/* (1, 1) beats allow writer * drafts/* (1, 0)
        self.assertTrue(self.policy.is_allowed("bob", "publish", "drafts/d1"))
        self.assertFalse(self.policy.is_allowed("bob", "delete", "drafts/d1"))
        self.assertEqual(self.policy.explain("bob", "delete", "drafts/d1"), 16)

    def test_deny_wins_ties_then_earliest_line(self):
        policy = parse_policy("role r\nuser u: r\nallow r read a/*\nallow r read */b\ndeny r read a/*\n"
                              "deny r read */b\nallow r read a/b\n")
        self.assertFalse(policy.is_allowed("u", "read", "a/c"))
        self.assertEqual(policy.explain("u", "read", "a/c"), 5)
        self.assertTrue(policy.is_allowed("u", "read", "a/b"))
        self.assertEqual(policy.explain("u", "read", "a/b"), 7)
        policy = parse_policy("role r\nuser u: r\nallow r * **\nallow r * x/**\nallow r * **/y\n")
        self.assertEqual(policy.explain("u", "go", "x/y"), 4)
        self.assertEqual(policy.explain("u", "go", "z"), 3)

    def test_specific_action_allow_beats_any_action_deny(self):
        # deny r * x/* is (1, 0); allow r read x/* is (1, 1): the allow is more specific
        policy = parse_policy("role r\nuser u: r\ndeny r * x/*\nallow r read x/*\n")
        self.assertTrue(policy.is_allowed("u", "read", "x/a"))
        self.assertEqual(policy.explain("u", "read", "x/a"), 4)
        self.assertFalse(policy.is_allowed("u", "write", "x/a"))
        self.assertEqual(policy.explain("u", "write", "x/a"), 3)

    def test_wildcard_segments_do_not_count_as_literal(self):
        policy = parse_policy("role r\nuser u: r\ndeny r read docs/*.md\nallow r read docs/readme.md\n"
                              "allow r read docs/**\n")
        self.assertTrue(policy.is_allowed("u", "read", "docs/readme.md"))
        self.assertFalse(policy.is_allowed("u", "read", "docs/other.md"))
        self.assertTrue(policy.is_allowed("u", "read", "docs/other.txt"))
        self.assertEqual(policy.explain("u", "read", "docs/other.md"), 3)


if __name__ == "__main__":
    unittest.main()
