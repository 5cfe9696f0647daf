// A dependency-free test runner for the C# tasks of the core suite. Driftwatch copies it into the
// workspace (as .driftwatch/csharp/TestKit.cs) only after the agent has finished, so hidden test
// projects build offline with nothing but the .NET SDK. It runs every public static method marked
// [Test], prints one line per test, writes JUnit XML to $DRIFTWATCH_JUNIT and exits 0 only when
// every test passed.
using System.Diagnostics;
using System.Reflection;
using System.Security;
using System.Text;

namespace Driftwatch.TestKit;

[AttributeUsage(AttributeTargets.Method)]
public sealed class TestAttribute : Attribute;

public sealed class CheckFailedException(string message) : Exception(message);

public static class Check
{
    public static void Equal<T>(T expected, T actual, string? what = null)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new CheckFailedException($"{what ?? "value"}: expected <{expected}> but was <{actual}>");
    }

    public static void SequenceEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string? what = null)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (!e.SequenceEqual(a))
            throw new CheckFailedException($"{what ?? "sequence"}: expected [{string.Join(", ", e)}] but was [{string.Join(", ", a)}]");
    }

    public static void True(bool condition, string what)
    {
        if (!condition) throw new CheckFailedException($"expected true: {what}");
    }

    public static void False(bool condition, string what)
    {
        if (condition) throw new CheckFailedException($"expected false: {what}");
    }

    public static void Near(double expected, double actual, double tolerance, string? what = null)
    {
        if (double.IsNaN(actual) || Math.Abs(expected - actual) > tolerance)
            throw new CheckFailedException($"{what ?? "value"}: expected {expected} ± {tolerance} but was {actual}");
    }

    public static TException Throws<TException>(Action action, string? what = null) where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException ex)
        {
            return ex;
        }
        catch (Exception ex)
        {
            throw new CheckFailedException($"{what ?? "action"}: expected {typeof(TException).Name} but got {ex.GetType().Name}: {ex.Message}");
        }
        throw new CheckFailedException($"{what ?? "action"}: expected {typeof(TException).Name} but nothing was thrown");
    }
}

public static class Runner
{
    public static int Main()
    {
        // Until the end overwrites it, the report says the run did not finish: code under test that
        // ends the process early (Environment.Exit(0)) leaves this behind, not a pass.
        var report = Environment.GetEnvironmentVariable("DRIFTWATCH_JUNIT") is { Length: > 0 } path ? path : null;
        if (report is not null)
        {
            File.WriteAllText(report, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuite name=\"csharp\" tests=\"1\" errors=\"1\">" +
                "<testcase classname=\"driftwatch\" name=\"unfinished\"><error message=\"the test run did not finish\"/></testcase></testsuite>\n");
        }
        var tests = Assembly.GetExecutingAssembly().GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<TestAttribute>() is not null)
            .OrderBy(m => m.DeclaringType!.FullName, StringComparer.Ordinal)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

        var results = new List<(MethodInfo Test, string? Failure, double Seconds)>();
        foreach (var test in tests)
        {
            var clock = Stopwatch.StartNew();
            string? failure = null;
            try
            {
                var returned = test.Invoke(null, null);
                if (returned is Task task) task.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
                failure = inner is CheckFailedException ? inner.Message : $"{inner.GetType().Name}: {inner.Message}";
            }
            results.Add((test, failure, clock.Elapsed.TotalSeconds));
            Console.WriteLine($"{(failure is null ? "PASS" : "FAIL")} {test.DeclaringType!.Name}.{test.Name}{(failure is null ? "" : " — " + failure)}");
        }

        var failed = results.Count(r => r.Failure is not null);
        Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
        if (report is not null)
            File.WriteAllText(report, ToJUnit(results));
        return results.Count > 0 && failed == 0 ? 0 : 1;
    }

    private static string ToJUnit(List<(MethodInfo Test, string? Failure, double Seconds)> results)
    {
        var xml = new StringBuilder();
        xml.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.AppendLine($"<testsuite name=\"csharp\" tests=\"{results.Count}\" failures=\"{results.Count(r => r.Failure is not null)}\">");
        foreach (var (test, failure, seconds) in results)
        {
            var head = $"  <testcase classname=\"{SecurityElement.Escape(test.DeclaringType!.FullName)}\" name=\"{SecurityElement.Escape(test.Name)}\" time=\"{seconds:F6}\"";
            if (failure is null)
                xml.AppendLine(head + "/>");
            else
                xml.AppendLine($"{head}><failure message=\"{SecurityElement.Escape(failure)}\"/></testcase>");
        }
        xml.AppendLine("</testsuite>");
        return xml.ToString();
    }
}
