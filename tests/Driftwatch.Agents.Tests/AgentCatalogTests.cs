using System.Text.Json.Nodes;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Shouldly;

namespace Driftwatch.Agents.Tests;

public sealed class AgentCatalogTests
{
    [Fact]
    public void The_simulated_preset_needs_no_configuration()
    {
        var definition = AgentCatalog.Resolve("simulated", DriftwatchConfig.Empty);
        var agent = AgentCatalog.Create(definition);

        agent.Kind.ShouldBe("simulated");
        agent.Synthetic.ShouldBeTrue();
    }

    [Fact]
    public void A_named_agent_from_the_config_overrides_a_preset()
    {
        var config = DriftwatchConfig.Empty with
        {
            Agents = DriftwatchConfig.Empty.Agents.Add("simulated", new AgentDefinition("simulated", "simulated", new JsonObject { ["skill"] = "0.3" }, "driftwatch.yaml:3 agents.simulated")),
        };

        AgentCatalog.Resolve("simulated", config).Options["skill"]!.ToString().ShouldBe("0.3");
    }

    [Fact]
    public void An_unknown_agent_is_bad_input_listing_what_exists()
    {
        var error = Should.Throw<InvalidInputException>(() => AgentCatalog.Resolve("gpt-9", DriftwatchConfig.Empty));
        error.Message.ShouldBe("--agent: unknown agent 'gpt-9' (no driftwatch.yaml found; available: aider, claude-code, codex, gemini, simulated)");
    }

    [Fact]
    public void An_unknown_kind_is_bad_input_naming_where_it_was_defined()
    {
        var error = Should.Throw<InvalidInputException>(() => AgentCatalog.Create(new AgentDefinition("x", "telepathy", [], "driftwatch.yaml:7 agents.x")));
        error.Message.ShouldStartWith("driftwatch.yaml:7 agents.x: kind: unknown agent kind 'telepathy'");
    }
}
