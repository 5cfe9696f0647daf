using Driftwatch.Core;
using Driftwatch.Web.Serving;
using Shouldly;

namespace Driftwatch.Web.Tests.Serving;

public sealed class BindingsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5170", true)]
    [InlineData("http://127.1.2.3:5170", true)]
    [InlineData("http://localhost:5170", true)]
    [InlineData("http://[::1]:5170", true)]
    [InlineData("http://0.0.0.0:5170", false)]
    [InlineData("http://[::]:5170", false)]
    [InlineData("http://*:5170", false)]
    [InlineData("http://+:5170", false)]
    [InlineData("http://192.168.1.20:5170", false)]
    [InlineData("https://dashboard.example:443", false)]
    public void Only_loopback_addresses_count_as_this_machine(string url, bool loopback) =>
        Bindings.IsLoopback(url).ShouldBe(loopback);

    [Fact]
    public void Urls_are_split_on_semicolons_and_default_to_loopback()
    {
        Bindings.Parse(null).ShouldBe([Bindings.DefaultUrl]);
        Bindings.Parse("http://127.0.0.1:1; http://*:2").ShouldBe(["http://127.0.0.1:1", "http://*:2"]);
    }

    [Theory]
    [InlineData("127.0.0.1:5170")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData(";")]
    public void Anything_but_http_addresses_is_bad_input_naming_the_option(string urls) =>
        Should.Throw<InvalidInputException>(() => Bindings.Parse(urls)).Message.ShouldStartWith("--urls:");
}
