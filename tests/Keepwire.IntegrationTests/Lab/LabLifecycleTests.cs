using System.Globalization;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>Building and tearing down whole labs, including after everything was killed mid-run.</summary>
[Collection("namespaces")]
public sealed class LabLifecycleTests
{
    private readonly CommandRunner runner = new();
    private readonly NetworkLab labs = new(new CommandRunner());

    [Fact]
    public async Task Down_removes_namespaces_processes_hosts_files_and_state()
    {
        var lab = await labs.UpAsync(LabFixture.Options());
        var pids = TrackedPids(lab);
        Assert.NotEmpty(pids);

        await lab.DisposeAsync();

        await AssertNothingLeftAsync(lab.Prefix, lab.StateDirectory, pids);
    }

    [Fact]
    public async Task Down_after_everything_was_killed_and_the_state_directory_lost_removes_the_rest()
    {
        var lab = await labs.UpAsync(LabFixture.Options());
        try
        {
            // What a crashed run leaves: a wireguard-go still serving its interface (hub), one
            // killed with SIGKILL (stale socket, alpha), every tracked process killed, and the
            // state directory (with every pid file) gone.
            var wireGuardPids = new List<int>();
            foreach (var node in new[] { "hub", "alpha" })
            {
                var iface = lab.Topology.WireGuardInterfaceOf(node);
                var started = await lab.ExecAsync(node, "wireguard-go", iface);
                Assert.True(started.Succeeded, started.StandardError);
                wireGuardPids.Add(await WireGuardPidAsync(lab, node, iface));
            }
            var tracked = TrackedPids(lab);
            foreach (var pid in tracked.Append(wireGuardPids[1]))
                await runner.RunCheckedAsync("kill", ["-s", "KILL", pid.ToString(CultureInfo.InvariantCulture)]);
            Directory.Delete(lab.StateDirectory, recursive: true);
            Assert.True(File.Exists($"/var/run/wireguard/{lab.Topology.WireGuardInterfaceOf("alpha")}.sock"));

            Assert.Contains(lab.Prefix, await labs.ListAsync());
            await labs.DownAsync(lab.Prefix);

            await AssertNothingLeftAsync(lab.Prefix, lab.StateDirectory, [.. tracked, .. wireGuardPids]);
            Assert.DoesNotContain(lab.Prefix, await labs.ListAsync());
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }

    [Fact]
    public async Task Daemons_start_detached_in_their_namespace_with_the_contract_arguments_and_stop_by_pid()
    {
        // A stand-in for keepwire that prints its arguments and waits: this test is about how the
        // lab runs, tracks and stops daemons; the real daemons have their own tests.
        string[] standIn = ["/usr/bin/perl", "-e", "$| = 1; print qq(started @ARGV\\n); sleep 600;"];
        await using var lab = await labs.UpAsync(LabFixture.Options() with { KeepwireCommand = standIn });

        var hubPid = await lab.StartDaemonAsync("hub");
        var alphaPid = await lab.StartDaemonAsync("alpha");

        Assert.Equal(hubPid, lab.DaemonPid("hub"));
        Assert.Equal($"{lab.Prefix}-hub", (await runner.RunCheckedAsync("ip", ["netns", "identify", hubPid.ToString(CultureInfo.InvariantCulture)])).StandardOutput.Trim());
        var expectedHubArguments = $"started hub --config {lab.ConfigPath} --node hub --socket {lab.DaemonSocketPath("hub")} --state-dir {lab.DaemonStateDirectory("hub")}";
        Assert.True(await Eventually(() => File.ReadAllText(lab.DaemonLogFile("hub")).Contains(expectedHubArguments, StringComparison.Ordinal)), File.ReadAllText(lab.DaemonLogFile("hub")));
        var expectedAlphaArguments = $"started site --config {lab.ConfigPath} --node alpha --socket {lab.DaemonSocketPath("alpha")}\n";
        Assert.True(await Eventually(() => File.ReadAllText(lab.DaemonLogFile("alpha")).Contains(expectedAlphaArguments, StringComparison.Ordinal)), File.ReadAllText(lab.DaemonLogFile("alpha")));
        await Assert.ThrowsAsync<LabException>(() => lab.StartDaemonAsync("hub"));

        await lab.StopDaemonAsync("hub");
        await lab.KillDaemonAsync("alpha");

        Assert.Null(lab.DaemonPid("hub"));
        Assert.Null(lab.DaemonPid("alpha"));
        Assert.False(LabProcessAlive(hubPid));
        Assert.False(LabProcessAlive(alphaPid));

        var restarted = await lab.StartDaemonAsync("hub");
        Assert.NotEqual(hubPid, restarted);
        // The log is appended to, so a restarted daemon's log keeps what happened before.
        Assert.True(await Eventually(() => File.ReadAllLines(lab.DaemonLogFile("hub")).Count(l => l.StartsWith("started hub", StringComparison.Ordinal)) == 2));
    }

    [Fact]
    public async Task Waiting_for_daemons_that_never_come_up_fails_with_their_logs()
    {
        string[] failing = ["/usr/bin/perl", "-e", "print STDERR qq(cannot read config: nothing here\\n); exit 2;"];
        await using var lab = await labs.UpAsync(LabFixture.Options() with { KeepwireCommand = failing });
        await lab.StartDaemonsAsync();

        var error = await Assert.ThrowsAsync<LabException>(() => lab.WaitForDaemonsReadyAsync(TimeSpan.FromSeconds(2)));

        Assert.Contains("daemon exited", error.Message, StringComparison.Ordinal);
        Assert.Contains("a handshake from charlie", error.Message, StringComparison.Ordinal);
        Assert.Contains("hub: NOT running", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read config: nothing here", error.Message, StringComparison.Ordinal);
    }

    private static bool LabProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int[] TrackedPids(LabHandle lab) =>
        Directory.EnumerateFiles(Path.Combine(lab.StateDirectory, "pids"), "*.pid")
            .Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture))
            .ToArray();

    private static async Task<int> WireGuardPidAsync(LabHandle lab, string node, string iface)
    {
        // wireguard-go daemonizes: find it among the processes of the node's namespace.
        var pids = (await lab.ExecAsync("net", "ip", "netns", "pids", lab.Topology.NamespaceOf(node))).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture));
        return pids.Single(pid => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains("wireguard-go " + iface, StringComparison.Ordinal));
    }

    private async Task AssertNothingLeftAsync(string prefix, string stateDirectory, IEnumerable<int> pids)
    {
        var namespaces = (await runner.RunCheckedAsync("ip", ["netns", "list"])).StandardOutput;
        Assert.DoesNotContain(prefix + "-", namespaces, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories("/etc/netns"), d => Path.GetFileName(d).StartsWith(prefix + "-", StringComparison.Ordinal));
        Assert.False(Directory.Exists(stateDirectory));
        Assert.Empty(Directory.Exists("/var/run/wireguard") ? Directory.EnumerateFiles("/var/run/wireguard", prefix + "*") : []);
        Assert.All(pids, pid => Assert.False(LabProcessAlive(pid), $"pid {pid} survived the teardown"));
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            if (condition())
                return true;
            await Task.Delay(250);
        }
        return false;
    }
}
