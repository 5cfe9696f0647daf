using Driftwatch.Core.Text;
using Shouldly;

namespace Driftwatch.Core.Tests.Text;

public sealed class RedactorTests
{
    [Theory]
    [InlineData("postgres://app:s3cr3t-pw@db.internal/app", "postgres://app:[redacted]@db.internal/app")]
    [InlineData("proxy at http://ops:hunter22@proxy:3128 today", "proxy at http://ops:[redacted]@proxy:3128 today")]
    [InlineData("key sk-ant-api03-abcdefghijklmnopqrstuv end", "key [redacted] end")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123 here", "token [redacted] here")]
    [InlineData("AKIAABCDEFGHIJKLMNOP", "[redacted]")]
    public void Credentials_are_recognised_by_their_shape(string text, string expected) =>
        Redactor.Shapes.Redact(text).ShouldBe(expected);

    [Theory]
    [InlineData("https://example.org/path?q=1")]
    [InlineData("user@example.org wrote: a:b")]
    [InlineData("def task(): return 'sk-' + name")]
    [InlineData("time 12:30 at http://localhost:8080/")]
    public void Ordinary_text_is_left_as_it_is(string text) =>
        Redactor.Shapes.Redact(text).ShouldBe(text);

    [Fact]
    public void Given_values_are_redacted_wherever_they_appear_and_short_ones_are_not()
    {
        var redactor = new Redactor(["correct-horse-battery", "abc"]);

        redactor.Redact("pw=correct-horse-battery; abc").ShouldBe("pw=[redacted]; abc");
    }

    [Fact]
    public void A_redacted_text_stays_the_same_when_redacted_again()
    {
        var once = Redactor.Shapes.Redact("postgres://app:pw123456@db/x");

        Redactor.Shapes.Redact(once).ShouldBe(once);
    }
}
