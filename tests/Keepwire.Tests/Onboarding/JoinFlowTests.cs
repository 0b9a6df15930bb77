using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Join;
using Keepwire.Onboarding.Tokens;
using Keepwire.Tests.Health;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Keepwire.Tests.Onboarding;

/// <summary>
/// The whole join over loopback: <c>site add</c>, the hub's join listener and registrar, and <c>keepwire join</c>'s
/// side, with real files. The hub's clock is a fake one, so a test can move it past a token's expiry.
/// The listener starts once the token is on record: its first pass then opens the port before it returns,
/// so no test depends on when its next one-second poll comes on a busy machine.
/// </summary>
public sealed class JoinFlowTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly OnboardingFiles files = new();
    private readonly FakeTimeProvider hubTime = new(DateTimeOffset.UtcNow);
    private readonly CancellationTokenSource stopping = new();
    private readonly int port = Loopback.ClosedTcpPort();
    private string hubConfig = "";
    private int reloads;
    private Task? listening;

    public Task InitializeAsync()
    {
        hubConfig = files.Write("hub.yaml", OnboardingFiles.Commented);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_joined_site_has_its_own_key_and_config_and_the_hub_has_its_key_with_the_file_otherwise_unchanged()
    {
        var token = await AddSiteAsync();
        var beforeJoin = File.ReadAllText(hubConfig);

        var joined = await JoinAsync(token, "site");

        var hubText = File.ReadAllText(hubConfig);
        var siteKey = KeyFile.ReadPrivateKey(joined.PrivateKeyFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(joined.PrivateKeyFile));
        Assert.Equal(KeyPair.PublicKeyOf(siteKey), OnboardingFiles.Load(hubText).FindSite("charlie")!.PublicKey);
        Assert.DoesNotContain("placeholder", hubText, StringComparison.Ordinal);
        Assert.Equal(beforeJoin.Split('\n').Length, hubText.Split('\n').Length);
        OnboardingFiles.AssertKeepsEveryLine(OnboardingFiles.Commented.Replace("[alpha, bravo]", "[alpha, bravo, charlie]", StringComparison.Ordinal), hubText);
        Assert.Equal(1, reloads);

        var site = ConfigLoader.Load(joined.ConfigPath);
        Assert.True(site.Succeeded, string.Join('\n', site.Errors));
        var only = Assert.Single(site.Config!.Sites);
        Assert.Equal(("charlie", IPAddress.Parse("10.77.0.11"), joined.PrivateKeyFile), (only.Name, only.Tunnel.IPv4, only.PrivateKeyFile));
        Assert.Empty(site.Config.Services);
        Assert.Equal(["hub"], site.Config.Hubs.Select(h => h.Name));
        Assert.NotNull(Assert.Single(new JoinTokenStore(files.StateDirectory).Load()).UsedAt);
    }

    [Fact]
    public async Task A_used_token_is_refused_and_changes_nothing()
    {
        var token = await AddSiteAsync();
        await JoinAsync(token, "first");
        var hubText = File.ReadAllText(hubConfig);

        var error = await Assert.ThrowsAsync<JoinException>(() => JoinAsync(token, "second"));

        Assert.Contains("the hub refused the join: this token was already used", error.Message, StringComparison.Ordinal);
        Assert.Equal(hubText, File.ReadAllText(hubConfig));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(files.Directory, "second")));
        Assert.Equal(1, reloads);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_changes_nothing_and_the_right_one_still_works()
    {
        var token = await AddSiteAsync();
        var hubText = File.ReadAllText(hubConfig);
        var forged = JoinToken.Decode(token) with { Secret = new byte[JoinToken.SecretLength] };

        var error = await Assert.ThrowsAsync<JoinException>(() => JoinAsync(forged.Encode(), "forged"));

        Assert.Contains("the hub does not recognise this token", error.Message, StringComparison.Ordinal);
        Assert.Equal(hubText, File.ReadAllText(hubConfig));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(files.Directory, "forged")));
        await JoinAsync(token, "site");
    }

    [Fact]
    public async Task A_token_the_hub_finds_expired_is_refused_and_changes_nothing()
    {
        var token = await AddSiteAsync();
        var hubText = File.ReadAllText(hubConfig);
        hubTime.Advance(TimeSpan.FromHours(2));

        var error = await Assert.ThrowsAsync<JoinException>(() => JoinAsync(token, "late"));

        Assert.Contains("the hub refused the join: this token expired at", error.Message, StringComparison.Ordinal);
        Assert.Equal(hubText, File.ReadAllText(hubConfig));
        Assert.Null(Assert.Single(new JoinTokenStore(files.StateDirectory).Load()).UsedAt);
    }

    [Fact]
    public async Task A_token_store_the_hub_cannot_read_gets_the_site_an_answer_and_changes_nothing()
    {
        var token = await AddSiteAsync();
        var hubText = File.ReadAllText(hubConfig);
        File.WriteAllText(new JoinTokenStore(files.StateDirectory).Path, "{ not json");

        var error = await Assert.ThrowsAsync<JoinException>(() => JoinAsync(token, "site"));

        Assert.Contains("the hub could not complete the join; its log says why", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(files.StateDirectory, error.Message, StringComparison.Ordinal);
        Assert.Equal(hubText, File.ReadAllText(hubConfig));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(files.Directory, "site")));
        Assert.Equal(0, reloads);
    }

    [Fact]
    public async Task A_token_expired_by_the_sites_clock_is_refused_before_anything_is_sent()
    {
        var token = await AddSiteAsync();

        var error = await Assert.ThrowsAsync<JoinException>(() =>
            SiteJoiner.JoinAsync(Options(token, "late"), new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2)), CancellationToken.None));

        Assert.Contains("this token expired at", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(files.Directory, "late")));
    }

    [Theory]
    [InlineData("hello", "should start with 'kw1.'")]
    [InlineData("kw1.AQ", "cut short")]
    [InlineData("kw1.***", "characters a token never has")]
    public async Task Text_that_is_no_token_is_refused_with_what_is_wrong(string text, string expected)
    {
        var error = await Assert.ThrowsAsync<JoinException>(() => JoinAsync(text, "x"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private async Task<string> AddSiteAsync()
    {
        var request = new SiteAddRequest(hubConfig, files.StateDirectory, "hub", "charlie", null, false, ["web"], null, TimeSpan.FromHours(1), new HostEndpoint("127.0.0.1", port));
        var result = await SiteEnrollment.AddAsync(request, hubTime, CancellationToken.None);
        StartHub();
        return result.Token!.Encode();
    }

    private void StartHub()
    {
        var store = new JoinTokenStore(files.StateDirectory);
        var logger = new TestOutputLogger(output);
        var registrar = new JoinRegistrar(hubConfig, store, _ =>
        {
            Interlocked.Increment(ref reloads);
            return Task.FromResult<string?>(null);
        }, hubTime, logger);
        listening = new JoinListener(port, store, registrar, TimeProvider.System, logger).RunAsync(stopping.Token);
    }

    private JoinOptions Options(string token, string directory)
    {
        Directory.CreateDirectory(Path.Combine(files.Directory, directory));
        return new JoinOptions(token, Path.Combine(files.Directory, directory, "keepwire.yaml"), null, "kwtest0", Overwrite: false);
    }

    private Task<JoinResult> JoinAsync(string token, string directory) => SiteJoiner.JoinAsync(Options(token, directory), TimeProvider.System, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        if (listening is not null)
            await listening;
    }

    public void Dispose()
    {
        stopping.Dispose();
        files.Dispose();
    }
}
