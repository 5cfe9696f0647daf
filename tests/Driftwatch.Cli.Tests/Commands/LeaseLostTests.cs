using Driftwatch.Cli.Infrastructure;
using Driftwatch.Core.Runs;
using Shouldly;
using Spectre.Console.Testing;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>A run whose lease was lost ends the command as an interruption, saying who has the run now.</summary>
public sealed class LeaseLostTests
{
    [Fact]
    public void A_run_taken_over_by_another_process_exits_as_interrupted_naming_its_new_owner()
    {
        // Given the error a run's heartbeat raises when another process took the run over
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = new TestConsole(),
            Error = error,
            WorkingDirectory = ".",
            GetEnvironmentVariable = _ => null,
            Arguments = ["run"],
        };
        var newOwner = new RunOwner("other-host", 42, DateTimeOffset.UnixEpoch);

        // When the command line handles it
        var exit = DriftwatchApp.HandleException(RunLeaseLostException.TakenOver(7, newOwner), context);

        // Then it is exit 130 (interrupted: the run goes on elsewhere), with one line saying so
        exit.ShouldBe(ExitCodes.Interrupted);
        error.ToString().ShouldBe(
            $"interrupted: run 7 was taken over by {newOwner.Id} after its lease expired; nothing more is recorded by this process{Environment.NewLine}");
    }
}
