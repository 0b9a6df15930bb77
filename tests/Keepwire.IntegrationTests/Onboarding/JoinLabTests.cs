using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.Onboarding.Tokens;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Onboarding;

/// <summary>
/// Onboarding end to end with the real binary in the namespace lab: <c>keepwire site add</c> on the hub and
/// <c>keepwire join</c> on a new site until it serves, misused tokens, and a site that runs wg-quick only.
/// </summary>
[Collection("namespaces")]
public sealed partial class JoinLabTests(OnboardingLabFixture lab, ITestOutputHelper output) : IClassFixture<OnboardingLabFixture>
{
    [Fact]
    public async Task A_site_added_on_the_hub_and_joined_serves_within_seconds_and_the_hub_file_keeps_its_comments()
    {
        var bravo = lab.Lab.Topology.Site("bravo");
        var token = await SiteAddAsync("bravo", "--priority", "500", "--service", "web");
        var siteConfig = Path.Combine(lab.Directory, "bravo", "keepwire.yaml");

        var joining = Stopwatch.StartNew();
        lab.Start("bravo", "bravo", ["join", token, "--config", siteConfig, "--interface", bravo.WireGuardInterface, "--foreground", "--socket", Path.Combine(lab.Directory, "bravo.sock")]);
        var body = await lab.WaitForAsync($"http://{lab.Lab.Topology.Vips.IPv4}/", "site=bravo");
        output.WriteLine($"keepwire join started → the VIP answers from bravo: {joining.Elapsed.TotalSeconds:0.0} s");

        // An agent site: the client's own address arrives.
        Assert.Contains($"client={lab.Lab.Topology.Client.IPv4}", body, StringComparison.Ordinal);
        var hubText = await File.ReadAllTextAsync(lab.HubConfig);
        AssertKeepsEveryLine(lab.OriginalConfig.Replace("sites: [alpha]   #", "sites: [alpha, bravo]   #", StringComparison.Ordinal), hubText);
        Assert.DoesNotContain("placeholder", hubText, StringComparison.Ordinal);
        var siteKey = KeyPair.PublicKeyOf(KeyFile.ReadPrivateKey(Path.Combine(lab.Directory, "bravo", "bravo.key")));
        Assert.Equal(siteKey, ConfigLoader.Parse(hubText, lab.HubConfig).Config!.FindSite("bravo")!.PublicKey);
        var site = Assert.Single(ConfigLoader.Load(siteConfig).Config!.Sites);
        Assert.Equal((siteKey, bravo.WireGuardInterface), (site.PublicKey, site.Interface));
    }

    [Fact]
    public async Task Wrong_expired_and_reused_tokens_are_refused_with_a_clear_error_and_change_nothing()
    {
        // Joins go from charlie's namespace, behind the lab's NAT router, and only write files (--no-start).
        var used = await SiteAddAsync("delta");
        var first = await JoinAsync(used, "delta-first");
        Assert.True(first.Succeeded, $"the first join failed: {first.StandardError}");
        var good = await SiteAddAsync("foxtrot");
        var wrong = (JoinToken.Decode(good) with { Secret = new byte[JoinToken.SecretLength] }).Encode();
        var expired = await SiteAddAsync("golf", "--expires-in", "1s");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var hubBefore = await File.ReadAllTextAsync(lab.HubConfig);
        var tokensBefore = await File.ReadAllTextAsync(new JoinTokenStore(lab.HubStateDirectory).Path);

        foreach (var (token, expected) in new[]
        {
            (used, "the hub refused the join: this token was already used"),
            (wrong, "the hub refused the join: the hub does not recognise this token"),
            (expired, "this token expired at"),
        })
        {
            var directory = Path.Combine(lab.Directory, "misuse-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(directory);
            var result = await JoinAsync(token, Path.GetFileName(directory));

            Assert.False(result.Succeeded, $"a join with a bad token succeeded: {result.StandardOutput}");
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        }
        Assert.Equal(hubBefore, await File.ReadAllTextAsync(lab.HubConfig));
        Assert.Equal(tokensBefore, await File.ReadAllTextAsync(new JoinTokenStore(lab.HubStateDirectory).Path));

        // The wrong copy did not burn the real token.
        var late = await JoinAsync(good, "foxtrot");
        Assert.True(late.Succeeded, $"the good token no longer works: {late.StandardError}");
    }

    [Fact]
    public async Task A_site_brought_up_by_wg_quick_alone_serves_through_the_hub_with_snat()
    {
        var charlie = lab.Lab.Topology.Site("charlie");
        var keyFile = Path.Combine(lab.Directory, "charlie.key");
        var keygen = await lab.KeepwireAsync("charlie", "keygen", "--private-key", keyFile);
        Assert.True(keygen.Succeeded, keygen.StandardError);
        var add = await lab.KeepwireAsync("hub", [.. HubOptions("site", "add", "charlie"), "--snat", "--public-key", keygen.StandardOutput.Trim(), "--priority", "1000", "--service", "router"]);
        Assert.True(add.Succeeded, add.StandardError);
        var render = await lab.KeepwireAsync("hub", "render", "wg-quick", "charlie", "--config", lab.HubConfig, "--private-key", keyFile);
        Assert.True(render.Succeeded, render.StandardError);
        // wg-quick names the interface after the file; a lab name, so the lab's teardown knows it too.
        var wgQuickConfig = Path.Combine(lab.Directory, charlie.WireGuardInterface + ".conf");
        await File.WriteAllTextAsync(wgQuickConfig, render.StandardOutput);
        File.SetUnixFileMode(wgQuickConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        try
        {
            var up = await lab.Lab.ExecAsync("charlie", ["env", "WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go", "wg-quick", "up", wgQuickConfig]);
            Assert.True(up.Succeeded, $"wg-quick up failed: {up.StandardError}");

            var body = await lab.WaitForAsync($"http://{OnboardingLabFixture.RouterVip}/", "site=charlie");

            // mode: snat, so the site sees the hub's tunnel address rather than the client's.
            Assert.Contains($"client={lab.Lab.Topology.Hub.Tunnel.IPv4}", body, StringComparison.Ordinal);

            // No agent, yet the hub's liveness stream reaches it: charlie's kernel answers the ICMP echo through the tunnel.
            var liveness = await WaitForLivenessAsync("charlie", "up");
            Assert.True(liveness.Answered > 0, $"charlie's liveness is up without an answer: {liveness}");
        }
        finally
        {
            await lab.Lab.ExecAsync("charlie", ["wg-quick", "down", wgQuickConfig]);
        }
    }

    /// <summary>Waits until the hub's status shows <paramref name="site"/>'s liveness in <paramref name="state"/>.</summary>
    private async Task<SiteLiveness> WaitForLivenessAsync(string site, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        SiteLiveness? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await new ControlClient(lab.HubSocket).SendAsync(new ControlRequest("status"));
            if (response.Ok)
            {
                last = response.Result!.Value.Deserialize<HubStatus>(ControlJson.Options)!.Sites.SingleOrDefault(s => s.Name == site)?.Liveness;
                if (last?.State == state)
                    return last;
            }
            await Task.Delay(200);
        }
        var log = string.Join('\n', File.ReadLines(Path.Combine(lab.Directory, "hub.log")).TakeLast(40));
        Assert.Fail($"{site}'s liveness never became {state}; last: {(last is null ? "none" : $"{last} (sent {last.Sent}, answered {last.Answered}, dropped {last.Dropped})")}; the hub's log:\n{log}");
        return null!;
    }

    private string[] HubOptions(params string[] command) =>
        [.. command, "--config", lab.HubConfig, "--state-dir", lab.HubStateDirectory, "--socket", lab.HubSocket];

    /// <summary><c>keepwire site add</c> on the hub, which must succeed; returns the token of the join command it printed.</summary>
    private async Task<string> SiteAddAsync(string site, params string[] options)
    {
        var result = await lab.KeepwireAsync("hub", [.. HubOptions("site", "add", site), .. options]);
        Assert.True(result.Succeeded, $"site add {site} failed: {result.StandardError}");
        var match = JoinCommand().Match(result.StandardOutput);
        Assert.True(match.Success, $"site add printed no join command: {result.StandardOutput}");
        return match.Groups[1].Value;
    }

    private Task<CommandResult> JoinAsync(string token, string directory) =>
        lab.KeepwireAsync("charlie", "join", token, "--config", Path.Combine(lab.Directory, directory, "keepwire.yaml"), "--no-start");

    /// <summary>Every line of <paramref name="before"/> is in <paramref name="after"/>, in order: the edits only inserted lines.</summary>
    private static void AssertKeepsEveryLine(string before, string after)
    {
        var remaining = new Queue<string>(before.Split('\n'));
        foreach (var line in after.Split('\n'))
        {
            if (remaining.Count > 0 && remaining.Peek() == line)
                remaining.Dequeue();
        }
        Assert.True(remaining.Count == 0, $"the hub's file lost or changed the line '{(remaining.Count > 0 ? remaining.Peek() : "")}':\n{after}");
    }

    [GeneratedRegex(@"keepwire join (kw1\.\S+)")]
    private static partial Regex JoinCommand();
}
