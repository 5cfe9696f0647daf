using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

/// <summary>
/// The queries whose cost must not grow with the length of history (#20), checked by SQLite's own
/// EXPLAIN QUERY PLAN on the statements the store runs: which indexes they use, and that none reads
/// every trial.
/// </summary>
public sealed class QueryPlanTests : IDisposable
{
    private readonly TempDirectory _temp = new("plans");
    private readonly string _path;

    public QueryPlanTests()
    {
        _path = _temp.Combine("plans.db");
        using (SqliteResultStore.Open(_path))
        {
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Fact]
    public void Listing_runs_reads_one_tally_row_per_run_and_no_trial()
    {
        var plan = Plan(SqliteDatabase.HeadersSql(""));

        plan.ShouldContain(line => line.Contains("SEARCH k USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal), Describe(plan));
        // The flagged trials are counted by kind in the tally row too: 313,365 flagged trials of a
        // 1M-trial database cost 120 to 550 ms to parse on every listing.
        plan.ShouldNotContain(line => line.Contains(" t USING", StringComparison.Ordinal), Describe(plan));
        plan.ShouldNotContain(line => line.Contains("SCAN t", StringComparison.Ordinal), Describe(plan));
        plan.ShouldNotContain(line => line.Contains("trials", StringComparison.Ordinal), Describe(plan));
    }

    [Fact]
    public void The_latest_runs_are_read_newest_first_through_an_index_and_stopped_at_the_limit()
    {
        var (all, _) = SqliteDatabase.RunQueryWhere(new RunQuery(Limit: 20));
        var (ofOne, _) = SqliteDatabase.RunQueryWhere(new RunQuery("agent", "suite", Limit: 20));

        var allPlan = Plan(SqliteDatabase.HeadersSql(all));
        var onePlan = Plan(SqliteDatabase.HeadersSql(ofOne));

        allPlan.ShouldContain(line => line.Contains("runs USING COVERING INDEX runs_by_start", StringComparison.Ordinal), Describe(allPlan));
        allPlan.ShouldNotContain(line => line.Contains("TEMP B-TREE", StringComparison.Ordinal) && !line.Contains("ORDER BY", StringComparison.Ordinal), Describe(allPlan));
        onePlan.ShouldContain(line => line.Contains("SEARCH runs USING COVERING INDEX runs_by_agent_suite (agent=? AND suite=?)", StringComparison.Ordinal), Describe(onePlan));
        onePlan.ShouldNotContain(line => line.Contains("SCAN t", StringComparison.Ordinal), Describe(onePlan));
    }

    [Fact]
    public void A_page_before_a_run_is_a_range_on_the_same_indexes_read_newest_first()
    {
        var (all, _) = SqliteDatabase.RunQueryWhere(new RunQuery(Limit: 20, BeforeId: 7));
        var (ofOne, _) = SqliteDatabase.RunQueryWhere(new RunQuery("agent", "suite", Limit: 20, BeforeId: 7));

        var allPlan = Plan(SqliteDatabase.HeadersSql(all));
        var onePlan = Plan(SqliteDatabase.HeadersSql(ofOne));

        allPlan.ShouldContain(line => line.Contains("SEARCH runs USING COVERING INDEX runs_by_start (started_at<?)", StringComparison.Ordinal), Describe(allPlan));
        allPlan.ShouldContain(line => line.Contains("SEARCH b USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal), Describe(allPlan));
        onePlan.ShouldContain(line => line.Contains("SEARCH runs USING COVERING INDEX runs_by_agent_suite (agent=? AND suite=? AND started_at<?)", StringComparison.Ordinal), Describe(onePlan));
        foreach (var plan in new[] { allPlan, onePlan })
        {
            plan.ShouldNotContain(line => line.Contains("SCAN runs", StringComparison.Ordinal), Describe(plan));
            plan.ShouldNotContain(line => line.Contains("SCAN t", StringComparison.Ordinal), Describe(plan));
        }
    }

    [Fact]
    public void An_agent_and_suites_history_reads_its_runs_by_index_their_task_tallies_and_metrics_by_key_and_no_trial_row()
    {
        var outcomes = Plan(SqliteHistoryReader.OutcomesSql);
        var metrics = Plan(SqliteHistoryReader.MetricsSql);
        var series = Plan(SqliteDatabase.HeadersSql("WHERE r.agent = $agent AND r.suite = $suite"));

        outcomes.ShouldContain(line => line.Contains("SEARCH r USING COVERING INDEX runs_by_agent_suite (agent=? AND suite=?)", StringComparison.Ordinal), Describe(outcomes));
        outcomes.ShouldContain(line => line.Contains("SEARCH k USING PRIMARY KEY (run_id=?)", StringComparison.Ordinal), Describe(outcomes));
        outcomes.ShouldNotContain(line => line.Contains("trials", StringComparison.Ordinal) || line.Contains(" t ", StringComparison.Ordinal), Describe(outcomes));
        metrics.ShouldContain(line => line.Contains("SEARCH m USING PRIMARY KEY (run_id=?)", StringComparison.Ordinal), Describe(metrics));
        series.ShouldContain(line => line.Contains("SEARCH r USING INDEX runs_by_agent_suite (agent=? AND suite=?)", StringComparison.Ordinal), Describe(series));
        foreach (var plan in new[] { outcomes, metrics, series })
            plan.ShouldNotContain(line => line.Contains("SCAN", StringComparison.Ordinal) && !line.Contains("USING", StringComparison.Ordinal), Describe(plan));
    }

    [Fact]
    public void A_tasks_history_reads_the_task_through_its_index_run_by_run()
    {
        var trials = Plan(SqliteHistoryReader.TaskTrialsSql);
        var metrics = Plan(SqliteHistoryReader.TaskMetricsSql);

        trials.ShouldContain(line => line.Contains("SEARCH trials USING INDEX trials_by_task (task_id=? AND run_id=?)", StringComparison.Ordinal), Describe(trials));
        metrics.ShouldContain(line => line.Contains("SEARCH trial_metric_sets USING PRIMARY KEY (run_id=? AND task_id=?)", StringComparison.Ordinal), Describe(metrics));
        foreach (var plan in new[] { trials, metrics })
            plan.ShouldNotContain(line => line.Contains("SCAN", StringComparison.Ordinal) && !line.Contains("USING", StringComparison.Ordinal), Describe(plan));
    }

    private List<string> Plan(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql.Trim().TrimEnd(';');
        foreach (var name in new[] { "$agent", "$suite", "$id", "$limit", "$task", "$before" })
            command.Parameters.AddWithValue(name, name is "$limit" or "$before" ? 20 : "x");
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
            lines.Add(reader.GetString(3));
        return lines;
    }

    private static string Describe(List<string> plan) => "plan:\n  " + string.Join("\n  ", plan);
}
