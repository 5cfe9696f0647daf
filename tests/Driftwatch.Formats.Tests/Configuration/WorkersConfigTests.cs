using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Configuration;

/// <summary>`workers:` (docs/scale-out.md): the queue, per-agent limits and the lease of a dead worker's trial.</summary>
public sealed class WorkersConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("workers-config");

    public void Dispose() => _temp.Dispose();

    private DriftwatchConfig Load(string yaml)
    {
        _temp.Write("driftwatch.yaml", yaml);
        return DriftwatchConfigLoader.Load(null, _temp.Path);
    }

    [Fact]
    public void Without_workers_trials_run_in_the_process_that_runs_them() =>
        Load("agents:\n  a:\n    kind: simulated\n").Workers.ShouldBeNull();

    [Fact]
    public void An_empty_workers_section_turns_workers_on_with_the_defaults()
    {
        var workers = Load("workers:\n").Workers.ShouldNotBeNull();
        workers.Queue.ShouldBe("trials");
        workers.AgentLimits.ShouldBeEmpty();
        workers.Lease.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Reads_the_queue_the_agent_limits_and_the_lease()
    {
        var workers = Load("""
            workers:
              queue: nightly_claude
              agents:
                claude-code: 4
                codex: 2
              lease_seconds: 90
            """).Workers.ShouldNotBeNull();
        workers.Queue.ShouldBe("nightly_claude");
        workers.AgentLimits.ShouldBe(new Dictionary<string, int> { ["claude-code"] = 4, ["codex"] = 2 }, ignoreOrder: true);
        workers.Lease.ShouldBe(TimeSpan.FromSeconds(90));
    }

    [Theory]
    [InlineData("workers:\n  queue: Nightly-Queue\n", "workers.queue", "not a queue name")]
    [InlineData("workers:\n  agents:\n    claude-code: 0\n", "workers.agents.claude-code", "from 1 to 10000")]
    [InlineData("workers:\n  agents:\n    claude-code: many\n", "workers.agents.claude-code", "got 'many'")]
    [InlineData("workers:\n  lease_seconds: 2\n", "workers.lease_seconds", "from 10 to 86400")]
    [InlineData("workers:\n  queues: a\n", "workers.queues", "")]
    public void Bad_values_are_bad_input_naming_the_file_line_and_field(string yaml, string field, string problem)
    {
        var error = Should.Throw<InvalidInputException>(() => Load(yaml));
        error.Message.ShouldContain(_temp.Combine("driftwatch.yaml"));
        error.Message.ShouldContain(field);
        error.Message.ShouldContain(problem);
    }
}
