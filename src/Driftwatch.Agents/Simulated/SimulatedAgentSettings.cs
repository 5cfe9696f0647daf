using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Driftwatch.Core.Configuration;

namespace Driftwatch.Agents.Simulated;

/// <summary>From this day on, the suite-mean pass rate is lower by <see cref="Drop"/> (added up over steps).</summary>
internal sealed record DegradationStep(DateOnly From, double Drop);

/// <summary>The options of a simulated agent (see <see cref="SimulatedAgent"/>).</summary>
internal sealed record SimulatedAgentSettings
{
    public static readonly string[] Fields = ["seed", "skill", "degradation", "error_rate", "delay_ms"];

    /// <summary>Fixed seed; null uses the run's seed (so runs differ unless --seed is given).</summary>
    public int? Seed { get; init; }

    /// <summary>Pass probability on a medium task of typical difficulty for its level.</summary>
    public double Skill { get; init; } = 0.8;

    public ImmutableArray<DegradationStep> Degradation { get; init; } = [];

    /// <summary>Share of attempts that end in a simulated infrastructure error (retried, never scored).</summary>
    public double ErrorRate { get; init; }

    /// <summary>Simulated working time per trial.</summary>
    public int DelayMs { get; init; }

    public static SimulatedAgentSettings From(AgentDefinition definition)
    {
        var options = new AgentOptions(definition, Fields);
        var steps = ImmutableArray.CreateBuilder<DegradationStep>();
        if (options.Array("degradation") is { } list)
        {
            foreach (var item in list)
            {
                if (item is not JsonObject step || step["from"] is null || step["drop"] is null)
                    throw options.Error("degradation", "each step needs 'from' (a date, yyyy-mm-dd) and 'drop' (e.g. 0.10)");
                if (!DateOnly.TryParseExact(step["from"]!.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
                    throw options.Error("degradation", $"'from' must be a date like 2026-05-01, got '{step["from"]}'");
                if (!double.TryParse(step["drop"]!.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var drop) || drop is < -1 or > 1)
                    throw options.Error("degradation", $"'drop' must be a number from -1 to 1, got '{step["drop"]}'");
                steps.Add(new DegradationStep(from, drop));
            }
        }
        return new SimulatedAgentSettings
        {
            Seed = options.Int("seed", int.MinValue, int.MaxValue),
            Skill = options.Double("skill", 0.01, 0.99) ?? 0.8,
            Degradation = steps.ToImmutable(),
            ErrorRate = options.Double("error_rate", 0, 1) ?? 0,
            DelayMs = options.Int("delay_ms", 0, 3_600_000) ?? 0,
        };
    }

    /// <summary>The total drop in force on <paramref name="day"/>.</summary>
    public double DropOn(DateOnly day) => Degradation.Where(s => s.From <= day).Sum(s => s.Drop);
}
