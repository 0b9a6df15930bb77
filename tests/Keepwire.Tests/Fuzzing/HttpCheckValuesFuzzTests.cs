using CsCheck;
using Keepwire.Configuration.Parsing;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The config's rules for an HTTP check's Host and path must never let through a value the probe's HTTP stack
/// would refuse or change: that is the failure they exist to prevent (every probe failing, silently).
/// </summary>
public sealed class HttpCheckValuesFuzzTests
{
    private static readonly Gen<string> HostLike = Gen.Frequency(
        (3, Gen.String[Gen.Char["abcxyz019-._:[]"], 0, 30]),
        (2, Gen.Select(Gen.String[Gen.Char["abc-."], 1, 20], Gen.Int[0, 99999]).Select((name, port) => $"{name}:{port}")),
        (1, Gen.OneOf(Gen.Const("[2001:db8::1]"), Gen.Const("[2001:db8::1]:8080"), Gen.Const("[::ffff:10.0.0.1]"), Gen.Const("10.77.0.5:80"))),
        (1, FuzzGen.Text));

    private static readonly Gen<string> PathLike = Gen.Frequency(
        (3, Gen.String[Gen.Char["/abz09-._~!$&'()*+,;=:@?%#AF "], 0, 30].Select(path => "/" + path)),
        (1, FuzzGen.Text.Select(text => "/" + text)));

    [Fact]
    public void A_host_the_config_accepts_is_one_the_http_client_sends() =>
        Fuzz.Property(HostLike, host =>
        {
            if (HttpSyntax.CheckHost(host) is not null)
                return;
            using var request = new HttpRequestMessage(HttpMethod.Get, "http://10.77.0.5/");
            request.Headers.Host = host;
            Assert.Equal(host, request.Headers.Host);
        }, Fuzz.Printable);

    [Fact]
    public void A_path_the_config_accepts_is_the_path_requested() =>
        Fuzz.Property(PathLike, path =>
        {
            if (HttpSyntax.CheckPath(path) is not null)
                return;
            // Uri writes %6C as 'l' (an unreserved character escaped or not is the same URI, RFC 3986 6.2.2.2), so
            // the paths are compared decoded; anything else it changed ("/./" resolved, a space) would show here.
            Assert.Equal(Uri.UnescapeDataString(path), Uri.UnescapeDataString(new Uri($"http://10.77.0.5:80{path}").PathAndQuery));
        }, Fuzz.Printable);
}
