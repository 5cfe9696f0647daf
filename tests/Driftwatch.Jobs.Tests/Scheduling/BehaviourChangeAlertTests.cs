using System.Globalization;
using System.Text.Json;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Statistics;
using Driftwatch.Jobs.Scheduling;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Scheduling;

/// <summary>
/// A behaviour change end to end: another harness's trials ingested by a schedule entry day after
/// day into a real SQLite file, judged with their output tokens, alerts sent to a receiver on
/// 127.0.0.1 and the console.
/// </summary>
public sealed class BehaviourChangeAlertTests
{
    private static readonly DateOnly First = new(2026, 10, 1);
    private static readonly DateOnly Release = new(2026, 10, 31);
    private static readonly CheckOptions Check = new() { BaselineDays = 30, Detection = new DetectorOptions { CalibrationPaths = 200 } };

    private static DateTimeOffset SlotOf(DateOnly day) => new(day.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Output_tokens_falling_a_third_after_an_agent_release_raise_exactly_one_changed_alert_in_the_verdicts_words()
    {
        // Given a daily ingest of the generic file of trials of claude-code on core: 50 tasks, one
        // trial each a day, 30 days of agent 2.0.31 ingested by the first slot
        await using var world = await ScheduleWorld.CreateAsync(tasks: 1, SlotOf(Release.AddDays(-1)).AddHours(-1));
        var file = world.PathOf("trials.jsonl");
        var trials = new TrialFile(seed: 7);
        for (var d = 0; d < 30; d++)
            File.AppendAllLines(file, trials.Day(First.AddDays(d), "2.0.31", tokens: 1));
        world.Start(world.Scheduler([ScheduleWorld.IngestJob(file, "claude-code", "core")], check: Check));
        await world.NextAsync<WaitingForSlot>();

        // When from 2026-10-31 agent 2.0.32 writes 34% fewer output tokens, its pass rates unchanged,
        // and each day's slot ingests that day (ten days)
        var verdicts = new Dictionary<DateOnly, Verdict>();
        for (var day = Release.AddDays(-1); day < Release.AddDays(10); day = day.AddDays(1))
        {
            if (day >= Release)
                File.AppendAllLines(file, trials.Day(day, "2.0.32", tokens: 0.66));
            await world.MoveClockTo(SlotOf(day));
            var ingested = await world.NextAsync<SlotIngested>();
            await world.NextAsync<WaitingForSlot>();
            verdicts[day] = ingested.Verdicts.ShouldHaveSingleItem();
            var tokens = verdicts[day].Signals.FirstOrDefault(s => s.Signal == "outputTokens");
            Log(string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {Alert.Name(verdicts[day].Status),-9} tokens {tokens?.Status} {tokens?.Statistic:0.00}/{tokens?.Threshold:0.00}"));
        }

        // Then the verdict warns from some day on because of output tokens alone, never degraded
        verdicts.Values.ShouldAllBe(v => v.Status != VerdictStatus.Degraded && v.Status != VerdictStatus.Improved);
        var alarmed = verdicts.Where(v => v.Value.TriggeredBy.Contains("outputTokens")).Select(v => v.Key).ToList();
        alarmed.ShouldNotBeEmpty();
        alarmed.ShouldBe([.. Enumerable.Range(0, verdicts.Keys.Max().DayNumber - alarmed[0].DayNumber + 1).Select(alarmed[0].AddDays)], "the alarm persists once raised");

        // And exactly one alert went out, changed, on the first day of the alarm, saying what moved as the verdict does
        var delivered = world.Events.OfType<AlertDelivered>().ShouldHaveSingleItem().Delivery.Alert;
        delivered.Event.ShouldBe(AlertEvents.Changed);
        delivered.Slot.ShouldBe(SlotOf(alarmed[0]));
        delivered.Title.ShouldBe($"claude-code on core: behaviour changed (was {Alert.Name(verdicts[alarmed[0].AddDays(-1)].Status)})");
        var change = delivered.BehaviourChanges.ShouldHaveSingleItem();
        change.Signal.ShouldBe("outputTokens");
        change.Change!.Value.ShouldBe(-0.34, 0.05);
        change.ChangeDay.ShouldBe(Release);
        change.AlarmDay.ShouldBe(alarmed[0]);
        var percent = Math.Round(change.Change!.Value * 100).ToString("0;−0", CultureInfo.InvariantCulture);
        change.Text.ShouldStartWith($"behaviour changed: output tokens {percent}% since 2026-10-31 (agent version: 2.0.31 → 2.0.32");
        var tokensVerdict = verdicts[alarmed[0]].Signals.Single(s => s.Signal == "outputTokens");
        change.Text.ShouldBe(Core.Reporting.VerdictText.Signal(tokensVerdict));
        delivered.Text.ShouldContain($"what moved: {change.Text}");
        delivered.Text.ShouldContain($"output tokens: {change.Interval}, change began 2026-10-31, alarm on {alarmed[0].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");

        // And the receiver and the console got it
        var request = world.Receiver.Requests.ShouldHaveSingleItem();
        request.Body!["event"]!.GetValue<string>().ShouldBe("changed");
        request.Body!["behaviourChanges"]![0]!["signal"]!.GetValue<string>().ShouldBe("outputTokens");
        world.Console.ToString().ShouldContain("Driftwatch: claude-code on core: behaviour changed");
        Log("");
        Log(delivered.Text);
        Log("");
        Log(request.RawBody);
    }

    /// <summary>
    /// Trials of 50 tasks as the generic file holds them: each task passes with its own rate, and
    /// writes output tokens log-normal around its own level (hard tasks write more) times a factor.
    /// </summary>
    private sealed class TrialFile(ulong seed)
    {
        private readonly Rng _rng = new(seed);
        private double[]? _rates;
        private double[]? _levels;

        public List<string> Day(DateOnly day, string agentVersion, double tokens)
        {
            _rates ??= [.. Enumerable.Range(0, 50).Select(_ => 0.4 + 0.55 * _rng.NextDouble())];
            _levels ??= [.. Enumerable.Range(0, 50).Select(_ => Math.Log(800) + 0.5 * _rng.NextNormal())];
            var lines = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                lines.Add(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["date"] = string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd}T05:{i:00}:00Z"),
                    ["task"] = $"task-{i:00}",
                    ["outcome"] = _rng.NextDouble() < _rates[i] ? "pass" : "fail",
                    ["output_tokens"] = (long)Math.Round(tokens * Math.Exp(_levels[i] + 0.2 * _rng.NextNormal())),
                    ["duration_ms"] = 60_000,
                    ["agent_version"] = agentVersion,
                }));
            }
            return lines;
        }
    }
}
