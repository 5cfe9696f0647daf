using System.Text;
using Driftwatch.Core;

namespace Driftwatch.Agents.Command;

/// <summary>
/// Command templates: split like a shell would (quotes, backslashes) into arguments first, then
/// placeholders are filled in each argument, so a prompt with spaces stays one argument and is
/// never seen by a shell. An argument that is only "{model}" is dropped with the flag before it
/// when no model is configured.
/// </summary>
internal static class CommandLine
{
    public static IReadOnlyList<string> Split(string template, string source)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        char? quote = null;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (quote is { } q)
            {
                if (c == q)
                    quote = null;
                else if (c == '\\' && q == '"' && i + 1 < template.Length)
                    current.Append(template[++i]);
                else
                    current.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inArgument)
                    arguments.Add(current.ToString());
                current.Clear();
                inArgument = false;
                continue;
            }
            inArgument = true;
            if (c is '"' or '\'')
                quote = c;
            else if (c == '\\' && i + 1 < template.Length)
                current.Append(template[++i]);
            else
                current.Append(c);
        }
        if (quote is not null)
            throw new InvalidInputException($"{source}: command: unclosed quote in '{template}'");
        if (inArgument)
            arguments.Add(current.ToString());
        if (arguments.Count == 0)
            throw new InvalidInputException($"{source}: command: empty");
        return arguments;
    }

    public static IReadOnlyList<string> Fill(IReadOnlyList<string> template, IReadOnlyDictionary<string, string?> values)
    {
        var result = new List<string>();
        for (var i = 0; i < template.Count; i++)
        {
            var argument = template[i];
            var placeholder = values.Keys.FirstOrDefault(k => argument == "{" + k + "}");
            if (placeholder is not null && values[placeholder] is null)
            {
                if (result.Count > 0 && result[^1].StartsWith('-') && i > 0 && template[i - 1] == result[^1])
                    result.RemoveAt(result.Count - 1);
                continue;
            }
            foreach (var (key, value) in values)
                argument = argument.Replace("{" + key + "}", value ?? "", StringComparison.Ordinal);
            result.Add(argument);
        }
        return result;
    }
}
