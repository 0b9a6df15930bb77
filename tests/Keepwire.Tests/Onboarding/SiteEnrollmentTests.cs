using System.Net;
using Keepwire.Model;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Editing;
using Keepwire.Onboarding.Tokens;
using Keepwire.Tests.Network;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Onboarding;

public sealed class SiteEnrollmentTests : IDisposable
{
    private readonly OnboardingFiles files = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_new_site_gets_the_next_free_addresses_written_out_a_placeholder_key_and_a_token()
    {
        var path = files.Write("keepwire.yaml", OnboardingFiles.Commented);

        var result = await SiteEnrollment.AddAsync(Request(path, "charlie", services: ["web"]), time, CancellationToken.None);

        var text = File.ReadAllText(path);
        OnboardingFiles.AssertKeepsEveryLine(OnboardingFiles.Commented.Replace("[alpha, bravo]", "[alpha, bravo, charlie]", StringComparison.Ordinal), text);
        // IPv6: alpha has fd77::10 and bravo fd77::11 (only bravo's IPv4 is pinned), so charlie's is the next one.
        Assert.Contains("    tunnel: { ipv4: 10.77.0.11, ipv6: \"fd77::12\" }", text, StringComparison.Ordinal);
        Assert.Contains($"  # {SiteEnrollment.PlaceholderComment} (token expires 2025-06-01 13:00 UTC)", text, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.77.0.11"), result.Site.Tunnel.IPv4);
        Assert.Contains("charlie", OnboardingFiles.Load(text).FindService("web")!.Sites);

        var token = Assert.IsType<JoinToken>(result.Token);
        Assert.Equal(("charlie", new HostEndpoint("hub.example.net", 51820)), (token.SiteName, token.JoinEndpoint));
        var pending = Assert.Single(new JoinTokenStore(files.StateDirectory).Load());
        Assert.Equal((token.Id, result.Site.PublicKey.Base64), (pending.Id, pending.PlaceholderKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(new JoinTokenStore(files.StateDirectory).Path));
    }

    [Fact]
    public async Task Adding_a_site_that_awaits_its_join_issues_a_new_token_and_retires_the_old_one()
    {
        var path = files.Write("keepwire.yaml", OnboardingFiles.Commented);
        var first = await SiteEnrollment.AddAsync(Request(path, "charlie"), time, CancellationToken.None);
        var text = File.ReadAllText(path);

        var second = await SiteEnrollment.AddAsync(Request(path, "charlie"), time, CancellationToken.None);

        Assert.True(second.Renewed);
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal([second.Token!.Id], new JoinTokenStore(files.StateDirectory).Load().Select(t => t.Id));
        Assert.NotEqual(first.Token!.Id, second.Token.Id);
    }

    [Theory]
    [InlineData("alpha", "already exists")]
    [InlineData("hub", "is the name of a hub")]
    [InlineData("Bad_Name", "is not valid")]
    public async Task A_name_that_cannot_be_used_is_refused_and_nothing_changes(string name, string expected)
    {
        var path = files.Write("keepwire.yaml", OnboardingFiles.Commented);

        var error = await Assert.ThrowsAsync<ConfigEditException>(() => SiteEnrollment.AddAsync(Request(path, name), time, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(OnboardingFiles.Commented, File.ReadAllText(path));
        Assert.Empty(new JoinTokenStore(files.StateDirectory).Load());
    }

    [Fact]
    public async Task An_unknown_service_refuses_the_whole_addition_and_leaves_no_token()
    {
        var path = files.Write("keepwire.yaml", OnboardingFiles.Commented);

        var error = await Assert.ThrowsAsync<ConfigEditException>(() => SiteEnrollment.AddAsync(Request(path, "charlie", services: ["ftp"]), time, CancellationToken.None));

        Assert.Contains("no service 'ftp'", error.Message, StringComparison.Ordinal);
        Assert.Equal(OnboardingFiles.Commented, File.ReadAllText(path));
        Assert.Empty(new JoinTokenStore(files.StateDirectory).Load());
    }

    [Fact]
    public async Task A_site_that_brings_its_own_key_is_written_with_it_and_gets_no_token()
    {
        var path = files.Write("keepwire.yaml", OnboardingFiles.Commented);

        var result = await SiteEnrollment.AddAsync(Request(path, "router") with { Snat = true, PublicKey = TestKeys.Key(3) }, time, CancellationToken.None);

        Assert.Null(result.Token);
        Assert.Equal((SiteMode.Snat, TestKeys.Key(3)), (result.Site.Mode, result.Site.PublicKey));
        Assert.DoesNotContain("placeholder", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_does_not_validate_is_not_touched()
    {
        var broken = OnboardingFiles.Commented.Replace("priority: 200", "priorty: 200", StringComparison.Ordinal);
        var path = files.Write("keepwire.yaml", broken);

        var error = await Assert.ThrowsAsync<ConfigEditException>(() => SiteEnrollment.AddAsync(Request(path, "charlie"), time, CancellationToken.None));

        Assert.Contains("fix it first", error.Message, StringComparison.Ordinal);
        Assert.Equal(broken, File.ReadAllText(path));
    }

    private SiteAddRequest Request(string path, string site, string[]? services = null) =>
        new(path, files.StateDirectory, "hub", site, 50, false, services ?? [], null, TimeSpan.FromHours(1), null);

    public void Dispose() => files.Dispose();
}
