using Driftwatch.Core.Metrics;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class DurationMsTests
{
    [Fact]
    public void Duration_ms_is_the_trials_wall_time_in_milliseconds()
    {
        // Given a trial that took 2.75 s
        var trial = SampleTrial.Finished(durationMs: 2750);

        // When it is measured
        var value = new DurationMs().Measure(trial);

        // Then its duration is 2750 ms, under the name durationMs
        value.ShouldBe(2750);
        new DurationMs().Name.ShouldBe("durationMs");
        new DurationMs().Unit.ShouldBe("ms");
    }
}
