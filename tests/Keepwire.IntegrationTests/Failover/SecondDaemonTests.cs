using System.Text.RegularExpressions;
using Keepwire.Control;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// An operator starts a second daemon for a node that already runs one, with the same socket (a unit file
/// started twice, a shell left open). It must refuse at once, name the running daemon, and leave it alone:
/// its control socket keeps answering.
/// </summary>
[Collection("namespaces")]
public sealed class SecondDaemonTests(FailoverLabFixture fixture) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("hub")]
    [InlineData("alpha")]
    public async Task A_second_daemon_for_a_running_node_is_refused_naming_the_first_which_keeps_its_socket(string node)
    {
        var running = Lab.DaemonPid(node) ?? throw new InvalidOperationException($"{node}'s daemon is not running");
        var role = node == "hub" ? "hub" : "site";
        List<string> command = [.. Lab.KeepwireCommand, role, "--config", Lab.ConfigPath, "--node", node, "--socket", Lab.DaemonSocketPath(node)];
        if (role == "hub")
            command.AddRange(["--state-dir", Lab.DaemonStateDirectory(node)]);

        // Generous: a refused daemon exits as soon as it has read its config; one that is not refused runs on.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var second = await Lab.ExecAsync(node, command, cancellationToken: timeout.Token);

        Assert.Equal(1, second.ExitCode);
        var named = Regex.Match(second.StandardError, @"belongs to a running keepwire daemon \(pid (\d+)\)");
        Assert.True(named.Success, $"the refusal should name the running daemon: {second.StandardError}");
        // The pid of the process holding the lock (the lab may track a wrapper of it): alive, and it is keepwire.
        var cmdline = await File.ReadAllTextAsync($"/proc/{named.Groups[1].Value}/cmdline");
        Assert.Contains("keepwire", cmdline, StringComparison.Ordinal);
        Assert.Equal(running, Lab.DaemonPid(node));
        var answer = await new ControlClient(Lab.DaemonSocketPath(node)).SendAsync(new ControlRequest("status"));
        Assert.True(answer.Ok, answer.Error);
    }
}
