using Keepwire.IntegrationTests.Keepalived;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// Reloading the hub's config: a bad file is rejected with every problem's file:line:column and
/// the hub keeps serving as before (through <c>keepwire reload</c> and through SIGHUP); a good
/// file takes effect. Every test puts the lab's own config back and reloads it, even on failure.
/// </summary>
[Collection("namespaces")]
public sealed class ReloadTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private const string WebPorts = "ports: [tcp/80]";

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_bad_file_is_rejected_by_reload_and_by_sighup_and_the_hub_keeps_serving_the_same_site()
    {
        var topology = Lab.Topology;
        var good = await File.ReadAllTextAsync(Lab.ConfigPath);
        var bad = Break(good, out var duplicateName, out var badPort);
        var hubPid = Lab.DaemonPid("hub");
        Assert.NotNull(hubPid);
        var loadedBefore = (await Lab.HubStatusAsync()).ConfigLoadedAt;

        try
        {
            await using var requests = RequestLoop.Start(Lab, 250, TimeSpan.FromMilliseconds(20), Family.Url(topology.Vips.IPv4), Family.Url(topology.Vips.IPv6));
            await File.WriteAllTextAsync(Lab.ConfigPath, bad);

            var rejected = await Lab.KeepwireAtHubAsync("reload");

            Assert.NotEqual(0, rejected.ExitCode);
            Assert.Contains($"{Lab.ConfigPath}:{duplicateName.Line}:{duplicateName.Column}: ", rejected.StandardError, StringComparison.Ordinal);
            Assert.Contains($"{Lab.ConfigPath}:{badPort.Line}:{badPort.Column}: ", rejected.StandardError, StringComparison.Ordinal);
            var afterReload = await Lab.HubStatusAsync();
            Assert.Equal(loadedBefore, afterReload.ConfigLoadedAt);
            Assert.Equal("alpha", afterReload.Services.Single(s => s.Name == "web").ServingSite);

            // The hub's status says at once that a reload was rejected; its log follows through the logger's queue.
            var rejectedBefore = afterReload.LastReload;
            Assert.False(rejectedBefore?.Succeeded ?? true, "the rejected reload is not the hub's last reload");
            var rejectionsBefore = CountRejections();
            await Lab.KillDaemonAsync("hub", "HUP");
            await WaitUntilAsync(async () => (await Lab.HubStatusAsync()).LastReload is { Succeeded: false } last && last.At > rejectedBefore!.At, "the hub to reject the file on SIGHUP");
            await WaitUntilAsync(() => Task.FromResult(CountRejections() > rejectionsBefore), "the hub to log that it rejected the file on SIGHUP");
            Assert.Equal(hubPid, Lab.DaemonPid("hub"));
            Assert.Equal($"site=alpha client={topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv4)));
            Assert.Equal(loadedBefore, (await Lab.HubStatusAsync()).ConfigLoadedAt);

            Assert.True(requests.IsRunning, "the request loop ended before the bad file was put back: it did not cover the rejected reloads");
            await File.WriteAllTextAsync(Lab.ConfigPath, good);
            var accepted = await Lab.KeepwireAtHubAsync("reload");
            Assert.True(accepted.Succeeded, $"reloading the good file failed ({accepted.ExitCode}): {accepted.StandardError}");
            Assert.True((await Lab.HubStatusAsync()).ConfigLoadedAt > loadedBefore, "the good file was not loaded");

            var outcome = await requests.CompleteAsync(TimeSpan.FromSeconds(120));
            Assert.True(outcome.Failures.Count == 0, $"requests failed around the reloads: {outcome.Summary()}");
            Assert.All(outcome.Answers, a => Assert.StartsWith("site=alpha client=", a, StringComparison.Ordinal));
        }
        finally
        {
            await RestoreAsync(good);
        }
    }

    [Fact]
    public async Task A_good_reload_that_adds_a_port_forwards_it()
    {
        var topology = Lab.Topology;
        var good = await File.ReadAllTextAsync(Lab.ConfigPath);
        Assert.Contains(WebPorts, good, StringComparison.Ordinal);
        var withPort = ReplaceFirst(good, WebPorts, "ports: [tcp/80, tcp/8080:80]");
        var restored = false;
        try
        {
            Assert.False((await Lab.CurlFromClientAsync(Family.Url(topology.Vips.IPv4, 8080))).Succeeded, "port 8080 answered before it was configured");

            await File.WriteAllTextAsync(Lab.ConfigPath, withPort);
            var reload = await Lab.KeepwireAtHubAsync("reload");

            Assert.True(reload.Succeeded, $"reload failed ({reload.ExitCode}): {reload.StandardError}");
            Assert.Equal($"site=alpha client={topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv4, 8080)));
            Assert.Equal($"site=alpha client={topology.Client.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv6, 8080)));

            await RestoreAsync(good);
            restored = true;
            Assert.False((await Lab.CurlFromClientAsync(Family.Url(topology.Vips.IPv4, 8080))).Succeeded, "port 8080 still answers after it was removed again");
            Assert.Equal($"site=alpha client={topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv4)));
        }
        finally
        {
            if (!restored)
                await RestoreAsync(good);
        }
    }

    /// <summary>
    /// The lab's file with two problems: site bravo renamed to alpha (a duplicate name) and web's
    /// port out of range. Returns where the validator must point for each.
    /// </summary>
    private static string Break(string good, out (int Line, int Column) duplicateName, out (int Line, int Column) badPort)
    {
        var bad = ReplaceFirst(ReplaceFirst(good, "- name: bravo", "- name: alpha"), WebPorts, "ports: [tcp/99999]");
        var lines = bad.Split('\n');
        var secondAlpha = lines.Select((text, index) => (text, index)).Where(l => l.text.Trim() == "- name: alpha").Skip(1).First();
        duplicateName = (secondAlpha.index + 1, secondAlpha.text.IndexOf("alpha", StringComparison.Ordinal) + 1);
        var port = lines.Select((text, index) => (text, index)).First(l => l.text.Contains("tcp/99999", StringComparison.Ordinal));
        badPort = (port.index + 1, port.text.IndexOf("tcp/99999", StringComparison.Ordinal) + 1);
        return bad;
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the lab's config");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    private int CountRejections()
    {
        var log = File.ReadAllText(Lab.DaemonLogFile("hub"));
        var count = 0;
        for (var at = log.IndexOf("reload rejected", StringComparison.Ordinal); at >= 0; at = log.IndexOf("reload rejected", at + 1, StringComparison.Ordinal))
            count++;
        return count;
    }

    private async Task RestoreAsync(string good)
    {
        await File.WriteAllTextAsync(Lab.ConfigPath, good);
        await Lab.EnsureHubRunningAsync();
        var reload = await Lab.KeepwireAtHubAsync("reload");
        Assert.True(reload.Succeeded, $"reloading the lab's own config failed ({reload.ExitCode}): {reload.StandardError}");
    }

    /// <summary>Waits up to a minute; a timeout names what did not happen and shows the end of the hub's log.</summary>
    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        try
        {
            await Poll.UntilAsync(condition, TimeSpan.FromSeconds(60), what);
        }
        catch (TimeoutException e)
        {
            var log = File.ReadAllLines(Lab.DaemonLogFile("hub"));
            Assert.Fail($"{e.Message}; the hub's log ends:\n{string.Join('\n', log.TakeLast(40))}");
        }
    }
}
