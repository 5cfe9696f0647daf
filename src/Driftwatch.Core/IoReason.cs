namespace Driftwatch.Core;

/// <summary>The operating system's reason for a failed file operation, short enough for a one-line message.</summary>
public static class IoReason
{
    /// <summary>"Read-only file system", "No space left on device", "permission denied": without the path the message repeats.</summary>
    public static string Of(Exception exception) => exception switch
    {
        UnauthorizedAccessException => "permission denied",
        _ => exception.Message.Split(" : '", 2)[0].Split(" '", 2)[0].ReplaceLineEndings(" ").Trim().TrimEnd('.', ' '),
    };
}
