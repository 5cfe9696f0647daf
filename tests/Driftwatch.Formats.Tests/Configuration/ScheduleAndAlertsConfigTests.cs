using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Configuration;

/// <summary>The schedule and alerts sections of driftwatch.yaml: what they hold, and one precise line for each mistake.</summary>
public sealed class ScheduleAndAlertsConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("config-schedule");

    public void Dispose() => _temp.Dispose();

    private string File => _temp.Combine("driftwatch.yaml");

    private DriftwatchConfig Load(string yaml)
    {
        _temp.Write("driftwatch.yaml", yaml);
        return DriftwatchConfigLoader.Load(null, _temp.Path);
    }

    private string Fails(string yaml) => Should.Throw<InvalidInputException>(() => Load(yaml)).Message;

    [Fact]
    public void Reads_entries_with_their_cron_time_zone_trials_and_budget_and_the_sinks()
    {
        // Given a schedule of two entries and three sinks
        var config = Load("""
            defaults:
              suite: mine
            schedule:
              catch_up: none
              time_zone: Europe/Paris
              entries:
                - agent: claude-code
                  cron: "0 6 * * *"
                  trials: 2
                - name: nightly-api
                  agent: sonnet-api
                  model: claude-opus-4
                  suite: core
                  cron: "30 2 * * 1-5"
                  time_zone: UTC
                  budget: 40
                  tasks: "gen-*"
            alerts:
              dashboard_url: http://127.0.0.1:5170/runs/{run}
              sinks:
                - type: console
                - type: slack
                  url_env: SLACK_WEBHOOK_URL
                - type: webhook
                  url: http://127.0.0.1:9000/driftwatch
            """);

        // Then the entries keep their fields, keys and locations; sinks say where their URLs come from
        config.Schedule.CatchUp.ShouldBe(CatchUp.None);
        var first = config.Schedule.Entries[0];
        first.Key.ShouldBe("claude-code on mine @ 0 6 * * * Europe/Paris");
        first.Cron.TimeZone.Id.ShouldBe("Europe/Paris");
        first.Trials.ShouldBe(2);
        first.Locate("cron").ShouldBe($"{File}:8: schedule.entries[0].cron");
        var second = config.Schedule.Entries[1];
        second.Key.ShouldBe("nightly-api");
        second.Model.ShouldBe("claude-opus-4");
        second.Suite.ShouldBe("core");
        second.Budget.ShouldBe(40);
        second.Tasks.ShouldBe("gen-*");
        second.Cron.TimeZone.ShouldBe(TimeZoneInfo.Utc);
        config.Alerts.DashboardUrl.ShouldBe("http://127.0.0.1:5170/runs/{run}");
        config.Alerts.Sinks.Select(s => s.Kind).ShouldBe([AlertSinkKind.Console, AlertSinkKind.Slack, AlertSinkKind.Webhook]);
        config.Alerts.Sinks[1].UrlEnv.ShouldBe("SLACK_WEBHOOK_URL");
        config.Alerts.Sinks[1].Name.ShouldBe("slack ($SLACK_WEBHOOK_URL)");
        config.Alerts.Sinks[2].Url.ShouldBe("http://127.0.0.1:9000/driftwatch");
    }

    [Fact]
    public void Without_the_sections_there_is_nothing_to_schedule_and_nowhere_to_alert()
    {
        var config = Load("agents: {}\n");

        config.Schedule.Entries.ShouldBeEmpty();
        config.Schedule.CatchUp.ShouldBe(CatchUp.Latest);
        config.Alerts.Sinks.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("schedule:\n  entries:\n    - agent: a\n      cron: \"61 6 * * *\"\n", 4, "schedule.entries[0].cron: invalid cron expression '61 6 * * *'")]
    [InlineData("schedule:\n  entries:\n    - agent: a\n      cron: \"every day\"\n", 4, "schedule.entries[0].cron: invalid cron expression 'every day'")]
    [InlineData("schedule:\n  entries:\n    - cron: \"0 6 * * *\"\n", 3, "schedule.entries[0].agent: required field is missing")]
    [InlineData("schedule:\n  time_zone: Mars/Olympus\n  entries: []\n", 2, "schedule.time_zone: unknown time zone 'Mars/Olympus'")]
    [InlineData("schedule:\n  catch_up: all\n", 2, "schedule.catch_up: unknown value 'all' (expected one of: latest, none)")]
    [InlineData("schedule:\n  entries:\n    - agent: a\n      cron: \"0 6 * * *\"\n      trials: 2\n      budget: 10\n", 6, "schedule.entries[0].budget: give either trials")]
    [InlineData("schedule:\n  entries:\n    - agent: a\n      cron: \"0 6 * * *\"\n      trails: 2\n", 5, "schedule.entries[0].trails: unknown field")]
    [InlineData("schedule:\n  entries:\n    - agent: a\n      cron: \"0 6 * * *\"\n    - agent: a\n      cron: \"0 6 * * *\"\n", 6, "schedule.entries[1].cron: entry 0 already runs 'a on core @ 0 6 * * *'")]
    [InlineData("schedule:\n  entries:\n    agent: a\n", 3, "schedule.entries: expected a list")]
    [InlineData("alerts:\n  sinks:\n    - type: pager\n", 3, "alerts.sinks[0].type: unknown value 'pager' (expected one of: console, webhook, slack, discord)")]
    [InlineData("alerts:\n  sinks:\n    - url_env: X\n", 3, "alerts.sinks[0].type: required field is missing")]
    [InlineData("alerts:\n  sinks:\n    - type: slack\n", 3, "alerts.sinks[0].url_env: required field is missing")]
    [InlineData("alerts:\n  sinks:\n    - type: webhook\n      url_env: 9LIVES\n", 4, "alerts.sinks[0].url_env: '9LIVES' is not an environment variable name")]
    [InlineData("alerts:\n  sinks:\n    - type: console\n      url_env: X\n", 4, "alerts.sinks[0].url_env: a console sink takes no URL")]
    [InlineData("alerts:\n  dashboard_url: localhost:5170\n", 2, "alerts.dashboard_url: expected an http:// or https:// address")]
    public void A_mistake_is_one_line_naming_file_line_and_field(string yaml, int line, string expected) =>
        Fails(yaml).ShouldStartWith($"{File}:{line}: {expected}");

    [Fact]
    public void A_secret_webhook_URL_written_in_the_file_is_refused_without_being_repeated()
    {
        // Given Slack and token-carrying webhook URLs written into the file
        var slack = Fails("alerts:\n  sinks:\n    - type: slack\n      url: https://hooks.slack.com/services/T0/B0/sekrit123\n");
        var query = Fails("alerts:\n  sinks:\n    - type: webhook\n      url: https://example.com/hook?token=sekrit456\n");
        var userInfo = Fails("alerts:\n  sinks:\n    - type: webhook\n      url: https://me:sekrit789@example.com/hook\n");

        // Then each is refused at its line, pointing at url_env, and the secret is not echoed
        slack.ShouldStartWith($"{File}:4: alerts.sinks[0].url: a slack webhook URL is a secret: put it in an environment variable and name that with url_env");
        query.ShouldStartWith($"{File}:4: alerts.sinks[0].url: this address carries user info or a query string");
        userInfo.ShouldStartWith($"{File}:4: alerts.sinks[0].url: this address carries user info or a query string");
        foreach (var message in new[] { slack, query, userInfo })
            message.ShouldNotContain("sekrit");
    }
}
