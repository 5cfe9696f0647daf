using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>
/// One figure measured of every finished trial, stored and shown by name with no schema or export
/// change: a metric is one class implementing this, listed in <see cref="TrialMetrics.All"/>.
/// </summary>
public interface ITrialMetric
{
    /// <summary>The stored and shown name, camelCase (the JSON key; the CSV column is <c>metric_</c> + name).</summary>
    string Name { get; }

    /// <summary>What the value counts (ms, tokens, ratio).</summary>
    string Unit { get; }

    /// <summary>How people read it in verdicts and charts ("output tokens").</summary>
    string Label => Name;

    /// <summary>What an alarm on it means (<see cref="Detection.Signals.SignalKind"/>).</summary>
    Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Behaviour;

    /// <summary>Which way is worse.</summary>
    Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.Neutral;

    /// <summary>
    /// Whether changes are relative (positive, skewed figures such as tokens, time and cost: judged
    /// on the log scale, reported as −34%) rather than absolute (counts and differences that can be
    /// zero or negative, such as lint findings beyond the reference's: reported as +0.8).
    /// </summary>
    bool Relative => true;

    /// <summary>The value for a finished trial, or null when the trial does not say (the agent did not report it).</summary>
    double? Measure(Trial trial);
}
