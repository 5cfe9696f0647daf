import unittest

from buildplan.errors import CycleError, UnknownStep
from buildplan.graph import BuildGraph
from buildplan.plan import format_plan, stages

REPO = BuildGraph.from_lines("""
    core:
    utils: core
    lib: core
    app: lib utils
    cli: app
    docs:
    site: docs
    bench: core lib
""")


class StageTests(unittest.TestCase):
    def test_step_without_dependencies(self):
        self.assertEqual(stages(REPO, ["core"]), [["core"]])

    def test_chain_gives_one_stage_per_step(self):
        self.assertEqual(stages(REPO, ["site"]), [["docs"], ["site"]])

    def test_independent_steps_share_a_stage_in_name_order(self):
        self.assertEqual(stages(REPO, ["app"]), [["core"], ["lib", "utils"], ["app"]])

    def test_step_waits_for_its_slowest_dependency(self):
        # bench needs core (stage 1) and lib (stage 2)
        self.assertEqual(stages(REPO, ["bench"]), [["core"], ["lib"], ["bench"]])

    def test_only_needed_steps_are_planned(self):
        plan = stages(REPO, ["cli"])
        self.assertEqual(plan, [["core"], ["lib", "utils"], ["app"], ["cli"]])
        self.assertNotIn("docs", sum(plan, []))

    def test_several_targets_are_planned_together(self):
        self.assertEqual(stages(REPO, ["site", "bench", "site"]),
                         [["core", "docs"], ["lib", "site"], ["bench"]])

    def test_no_targets_gives_no_stages(self):
        self.assertEqual(stages(REPO, []), [])

    def test_done_steps_and_what_only_they_need_are_skipped(self):
        graph = BuildGraph.from_lines("""
            core:
            proto: core
            lib: proto
            utils: core
            app: lib utils
        """)
        self.assertEqual(stages(graph, ["app"], done=["lib"]), [["core"], ["utils"], ["app"]])
        self.assertEqual(stages(graph, ["app"], done=["utils", "proto"]), [["lib"], ["app"]])

    def test_done_targets_are_not_planned(self):
        self.assertEqual(stages(REPO, ["app", "site"], done=["app"]), [["docs"], ["site"]])
        self.assertEqual(stages(REPO, ["app"], done=["app"]), [])

    def test_unknown_steps_are_reported(self):
        with self.assertRaises(UnknownStep) as caught:
            stages(REPO, ["app", "deploy"])
        self.assertEqual(caught.exception.name, "deploy")
        graph = BuildGraph.from_lines("app: lib\nlib: vendored")
        with self.assertRaises(UnknownStep) as caught:
            stages(graph, ["app"])
        self.assertEqual(caught.exception.name, "vendored")

    def test_unknown_steps_behind_done_steps_do_not_matter(self):
        graph = BuildGraph.from_lines("app: lib\nlib: vendored")
        self.assertEqual(stages(graph, ["app"], done=["lib"]), [["app"]])

    def test_cycle_is_reported(self):
        graph = BuildGraph.from_lines("app: api\napi: db\ndb: migrations\nmigrations: api")
        with self.assertRaises(CycleError) as caught:
            stages(graph, ["app"])
        self.assertEqual(caught.exception.cycle, ["api", "db", "migrations", "api"])

    def test_cycle_search_starts_from_the_targets_in_name_order(self):
        graph = BuildGraph.from_lines("""
            a: b
            b: a
            y: z
            z: y
        """)
        with self.assertRaises(CycleError) as caught:
            stages(graph, ["z", "a"])
        self.assertEqual(caught.exception.cycle, ["a", "b", "a"])

    def test_cycle_through_a_done_step_is_ignored(self):
        graph = BuildGraph.from_lines("app: lib\nlib: gen\ngen: lib")
        self.assertEqual(stages(graph, ["app"], done=["gen"]), [["lib"], ["app"]])

    def test_format_plan(self):
        self.assertEqual(format_plan(stages(REPO, ["app"])), "1: core\n2: lib, utils\n3: app")


if __name__ == "__main__":
    unittest.main()
