using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Configuration;

public sealed class DriftwatchConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("config");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void No_file_means_built_in_defaults() =>
        DriftwatchConfigLoader.Load(null, _temp.Path).ShouldBe(DriftwatchConfig.Empty);

    [Fact]
    public void Reads_database_suites_agents_and_defaults_relative_to_the_file()
    {
        // Given a driftwatch.yaml in the working directory
        _temp.Write("driftwatch.yaml", """
            database: data/dw.db
            defaults:
              agent: steady
              trials: 3
            suites:
              mine: suites/mine
            agents:
              steady:
                kind: simulated
                skill: 0.9
                degradation:
                  - from: 2026-05-01
                    drop: 0.1
            """);

        // When it is loaded implicitly
        var config = DriftwatchConfigLoader.Load(null, _temp.Path);

        // Then paths resolve against its folder and the agent keeps its options as JSON
        config.Database.ShouldBe(_temp.Combine("data", "dw.db"));
        config.Suites["mine"].ShouldBe(_temp.Combine("suites", "mine"));
        config.Defaults.Trials.ShouldBe(3);
        var agent = config.Agents["steady"];
        agent.Kind.ShouldBe("simulated");
        agent.Options["skill"]!.ToString().ShouldBe("0.9");
        agent.Options["degradation"]![0]!["drop"]!.ToString().ShouldBe("0.1");
        agent.Options.ContainsKey("kind").ShouldBeFalse();
        agent.Source.ShouldStartWith(_temp.Combine("driftwatch.yaml") + ":");
        agent.Locate("skill").ShouldBe($"{_temp.Combine("driftwatch.yaml")}:10: agents.steady.skill");
    }

    [Fact]
    public void The_storage_section_names_the_store_kind_and_its_path_relative_to_the_file()
    {
        // Given a configuration with a storage section
        _temp.Write("driftwatch.yaml", """
            storage:
              kind: sqlite
              path: state/runs.db
            """);

        // When it is loaded
        var config = DriftwatchConfigLoader.Load(null, _temp.Path);

        // Then the store is SQLite at that path, which is also the database
        config.Storage.ShouldBe(new StorageConfig(StorageKind.Sqlite, _temp.Combine("state", "runs.db")));
        config.Database.ShouldBe(_temp.Combine("state", "runs.db"));
    }

    [Fact]
    public void An_unknown_storage_kind_is_bad_input_naming_the_file_line_and_field()
    {
        // Given a storage kind Driftwatch does not have
        var file = _temp.Write("driftwatch.yaml", """
            storage:
              kind: mysql
            """);

        // When it is loaded
        var error = Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load(null, _temp.Path));

        // Then the error names the file, the line and storage.kind, and what is known
        error.Message.ShouldBe($"{file}:2: storage.kind: unknown value 'mysql' (expected one of: sqlite, postgres)");
    }

    [Fact]
    public void A_postgres_store_names_the_variable_of_its_connection_string_and_where_the_file_says_so()
    {
        // Given storage: postgres with connection_env
        var file = _temp.Write("driftwatch.yaml", """
            storage:
              kind: postgres
              connection_env: DRIFTWATCH_PG
            """);

        // When it is loaded
        var config = DriftwatchConfigLoader.Load(null, _temp.Path);

        // Then the store is PostgreSQL through that variable, with no path, and knows the field's place
        config.Storage.Kind.ShouldBe(StorageKind.Postgres);
        config.Storage.ConnectionEnv.ShouldBe("DRIFTWATCH_PG");
        config.Storage.Path.ShouldBeNull();
        config.Storage.Source.ShouldBe($"{file}:3: storage.connection_env");
    }

    [Theory]
    [InlineData("storage:\n  kind: postgres\n  connection_env: DRIFTWATCH_PG\n  path: a.db\n", 4, "storage.path", "a postgres store has no file")]
    [InlineData("storage:\n  kind: sqlite\n  connection_env: DRIFTWATCH_PG\n", 3, "storage.connection_env", "only a postgres store is reached through an environment variable")]
    [InlineData("storage:\n  connection_env: DRIFTWATCH_PG\n", 2, "storage.connection_env", "only a postgres store is reached through an environment variable")]
    [InlineData("storage:\n  kind: postgres\n", 2, "storage.connection_env", "required field is missing")]
    [InlineData("storage:\n  kind: postgres\n  connection_env: postgres://u:p@h/db\n", 3, "storage.connection_env", "not an environment variable name")]
    [InlineData("database: a.db\nstorage:\n  kind: postgres\n  connection_env: DRIFTWATCH_PG\n", 1, "database", "a postgres store has no file")]
    public void A_storage_section_that_mixes_the_kinds_fields_is_bad_input_naming_the_field(string yaml, int line, string field, string problem)
    {
        // Given a storage section with a field of the other kind (or without its own)
        var file = _temp.Write("driftwatch.yaml", yaml);

        // When it is loaded, then the error names the file, the line and the field, and never repeats a connection string
        var message = Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load(null, _temp.Path)).Message;
        message.ShouldStartWith($"{file}:{line}: {field}: {problem}");
        message.ShouldNotContain("postgres://");
    }

    [Fact]
    public void A_database_given_both_in_database_and_in_storage_path_is_bad_input()
    {
        var file = _temp.Write("driftwatch.yaml", """
            database: a.db
            storage:
              path: b.db
            """);

        Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load(null, _temp.Path)).Message
            .ShouldBe($"{file}:3: storage.path: give the database file in storage.path or in database:, not both");
    }

    [Fact]
    public void Agent_definition_round_trips_through_json()
    {
        var definition = new AgentDefinition("a", "simulated", new System.Text.Json.Nodes.JsonObject { ["skill"] = "0.7" }, "test");

        var back = AgentDefinition.FromJson(definition.ToJson(), "stored run");

        back.Name.ShouldBe("a");
        back.Kind.ShouldBe("simulated");
        back.Options["skill"]!.ToString().ShouldBe("0.7");
    }

    [Fact]
    public void Errors_name_file_line_and_field()
    {
        var file = _temp.Write("driftwatch.yaml", "defaults:\n  trials: 0\n");

        var error = Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load(null, _temp.Path));

        error.Message.ShouldBe($"{file}:2: defaults.trials: expected a whole number from 1 to 10000, got '0'");
    }

    [Fact]
    public void An_explicit_missing_file_is_bad_input() =>
        Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load("nope.yaml", _temp.Path)).Message.ShouldContain("nope.yaml: configuration file not found");

    [Fact]
    public void An_agent_without_kind_is_rejected()
    {
        var file = _temp.Write("driftwatch.yaml", "agents:\n  x:\n    skill: 0.5\n");
        Should.Throw<InvalidInputException>(() => DriftwatchConfigLoader.Load(null, _temp.Path)).Message.ShouldBe($"{file}:3: agents.x.kind: required field is missing");
    }
}
