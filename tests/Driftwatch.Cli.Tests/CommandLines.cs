using System.Text;
using Driftwatch.Cli.Infrastructure;
using Spectre.Console.Cli;
using Spectre.Console.Testing;

namespace Driftwatch.Cli.Tests;

/// <summary>
/// Parses a driftwatch command line against the real command tree — binding, strict parsing and
/// each command's own validation — without running the command. For command lines written in
/// docs (workflows, unit files) that a test cannot run for real.
/// </summary>
public static class CommandLines
{
    /// <summary>The command that <paramref name="args"/> selects, or the problem Spectre or the settings' validation reports.</summary>
    public static (string? Command, string? Problem) Parse(IReadOnlyList<string> args)
    {
        var console = new TestConsole();
        var context = new CliContext
        {
            Out = console,
            Error = new StringWriter(),
            WorkingDirectory = Path.GetTempPath(),
            GetEnvironmentVariable = _ => null,
        };
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliContext), context);
        registrar.RegisterInstance(typeof(ICommandInterceptor), new StopBeforeExecution());
        var app = new CommandApp(registrar);
        app.Configure(config =>
        {
            DriftwatchApp.Configure(config, context);
            config.PropagateExceptions();
        });
        try
        {
            app.Run(args);
            return (null, $"the command ran instead of stopping after parsing: {console.Output}");
        }
        catch (Parsed parsed)
        {
            return parsed.Problem is null ? (parsed.Command, null) : (parsed.Command, parsed.Problem);
        }
        catch (Exception ex) when (ex is CommandParseException or CommandRuntimeException)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// The words of each `driftwatch …` command in a shell script: quotes removed, `$VAR` kept as
    /// written, the command ended by a redirection, a pipe, `;`, `&amp;&amp;` or `||`. A driftwatch
    /// word counts only where a command starts (first on the line or after one of those).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> DriftwatchCommands(string script)
    {
        var commands = new List<IReadOnlyList<string>>();
        foreach (var rawLine in script.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
        {
            var words = Words(rawLine);
            for (var i = 0; i < words.Count; i++)
            {
                // Only in command position: `dotnet tool install driftwatch` names the package, not the command.
                if (!IsDriftwatch(words[i]) || (i > 0 && words[i - 1] is not (";" or "&&" or "||" or "|")))
                    continue;
                var command = new List<string>();
                for (var j = i + 1; j < words.Count && !IsOperator(words[j]); j++)
                    command.Add(words[j]);
                commands.Add(command);
            }
        }
        return commands;
    }

    private static bool IsDriftwatch(string word) => word == "driftwatch" || word.EndsWith("/driftwatch", StringComparison.Ordinal);

    private static bool IsOperator(string word) => word is ">" or ">>" or "<" or "|" or ";" or "&&" or "||" or "2>" or "2>&1" or "&";

    /// <summary>Shell words of one line (comments dropped), with quoting removed.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                    quote = null;
                else
                    word.Append(c);
                continue;
            }
            if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
                continue;
            }
            if (c == '#' && !inWord)
                break;
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            word.Append(c);
            inWord = true;
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    private sealed class Parsed(string command, string? problem) : Exception(problem ?? command)
    {
        public string Command { get; } = command;
        public string? Problem { get; } = problem;
    }

    private sealed class StopBeforeExecution : ICommandInterceptor
    {
        public void Intercept(CommandContext context, CommandSettings settings)
        {
            var validation = settings.Validate();
            throw new Parsed(context.Name, validation.Successful ? null : validation.Message);
        }

        public void InterceptResult(CommandContext context, CommandSettings settings, ref int result)
        {
        }
    }
}
