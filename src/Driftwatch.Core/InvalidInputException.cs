namespace Driftwatch.Core;

/// <summary>
/// Bad input from the user: a malformed file, an unknown name, a bad flag. The CLI prints the
/// message on one line and exits with code 2; nothing already stored is touched.
/// </summary>
public class InvalidInputException : Exception
{
    public InvalidInputException(string message) : base(message)
    {
    }

    public InvalidInputException(string message, Exception inner) : base(message, inner)
    {
    }

    public InvalidInputException()
    {
    }

    /// <summary>Builds the conventional "file:line: field: problem" message.</summary>
    public static InvalidInputException AtLocation(string file, int? line, string? field, string problem)
    {
        var location = line is { } l ? $"{file}:{l}" : file;
        var subject = field is null ? "" : $"{field}: ";
        return new InvalidInputException($"{location}: {subject}{problem}");
    }
}
