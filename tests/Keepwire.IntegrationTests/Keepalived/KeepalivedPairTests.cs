using System.Globalization;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Processes;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Keepalived;

/// <summary>
/// Two real keepalived, run by the supervisor, moving real VIPs between two hub namespaces. Asserts where
/// the VIPs end up (generous timeouts); prints how long each move took, for the record, not as a test.
/// </summary>
[Collection("namespaces")]
public sealed class KeepalivedPairTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Election = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Move = TimeSpan.FromSeconds(15);

    private KeepalivedPairLab _lab = null!;

    public async Task InitializeAsync() => _lab = await KeepalivedPairLab.CreateAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private async Task<KeepalivedPairLab.Hub> StartPairAsync()
    {
        foreach (var name in new[] { "h1", "h2" })
            Assert.Equal(KeepalivedOutcome.Started, (await _lab.EnsureRunningAsync(_lab[name])).Outcome);
        return await _lab.WaitForSingleMasterAsync(Election);
    }

    private async Task<TimeSpan> WaitForVipsOnAsync(KeepalivedPairLab.Hub hub, string cause)
    {
        var peer = _lab.PeerOf(hub);
        var took = await Poll.UntilAsync(
            async () => (await hub.HoldingAsync()).All && !(await peer.HoldingAsync()).Any, Move, $"VIPs on {hub.Name} only after {cause}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cause}: VIPs moved to {hub.Name} in {took.TotalSeconds:0.000} s"));
        return took;
    }

    private Task StaysOnAsync(KeepalivedPairLab.Hub hub, TimeSpan period, string why) =>
        Poll.HoldsForAsync(async () => (await hub.HoldingAsync()).All && !(await _lab.PeerOf(hub).HoldingAsync()).Any, period, $"VIPs stay on {hub.Name}: {why}");

    [Fact]
    public async Task A_fault_in_the_masters_track_file_moves_the_vips_and_recovery_does_not_pull_them_back()
    {
        var master = await StartPairAsync();
        var backup = _lab.PeerOf(master);

        await master.TrackFile.WriteAsync(healthy: false, "test: told to yield");
        await WaitForVipsOnAsync(backup, "track file 1 on the master");

        // nopreempt: the old master recovers as BACKUP, whatever its priority.
        await master.TrackFile.WriteAsync(healthy: true, "test: healthy again");
        await StaysOnAsync(backup, TimeSpan.FromSeconds(3), "the recovered hub must not take them back");
    }

    [Fact]
    public async Task A_dead_daemon_gives_the_vips_up()
    {
        var master = await StartPairAsync();

        master.Daemon!.Kill();
        await WaitForVipsOnAsync(_lab.PeerOf(master), "SIGKILL of the master's daemon");
    }

    [Fact]
    public async Task A_quick_daemon_restart_keeps_the_vips()
    {
        var master = await StartPairAsync();

        // As systemd does it: the daemon dies and is back a second later, with a new pid in its pid file.
        master.Daemon!.Kill();
        await Task.Delay(TimeSpan.FromSeconds(1));
        _lab.StartDaemon(master);
        await StaysOnAsync(master, TimeSpan.FromSeconds(5), "a daemon back within the grace keeps them");
    }

    [Fact]
    public async Task A_new_supervisor_adopts_the_running_keepalived_and_a_config_change_reloads_it_in_place()
    {
        var master = await StartPairAsync();
        var running = master.Supervisor.RunningPid();

        // A restarted daemon: a new supervisor, the same settings.
        master.Supervisor = master.NewSupervisor();
        var adopted = await _lab.EnsureRunningAsync(master);
        Assert.Equal(new KeepalivedRunState(KeepalivedOutcome.Adopted, running!.Value), adopted);
        await StaysOnAsync(master, TimeSpan.FromSeconds(2), "adopting must not restart keepalived");

        var reloaded = await _lab.EnsureRunningAsync(master, master.Settings with { Priority = 140 });
        Assert.Equal(new KeepalivedRunState(KeepalivedOutcome.Reloaded, running.Value), reloaded);
        await StaysOnAsync(master, TimeSpan.FromSeconds(2), "a reload keeps keepalived's state");
        Assert.Contains("priority 140", await File.ReadAllTextAsync(master.Paths.ConfigFile));
    }

    [Fact]
    public async Task A_killed_keepalived_is_restarted_without_taking_the_vips_back()
    {
        var master = await StartPairAsync();
        var backup = _lab.PeerOf(master);
        var killed = master.Supervisor.RunningPid()!.Value;

        // A crash: the whole process group at once, so nothing resigns or removes the VIPs on the way out.
        await master.Runner.RunCheckedAsync("kill", ["-s", "KILL", "--", $"-{killed}"]);
        await Poll.UntilAsync(() => Task.FromResult(master.Supervisor.RunningPid() is null), Move, "keepalived gone");
        // The peer hears no adverts and takes over; the dead one's VIPs are still on its interface.
        var takeover = await Poll.UntilAsync(async () => (await backup.HoldingAsync()).All, Move, "peer takes over");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SIGKILL of the master's keepalived: {backup.Name} took the VIPs in {takeover.TotalSeconds:0.000} s"));

        var restarted = await _lab.EnsureRunningAsync(master);
        Assert.Equal(KeepalivedOutcome.Restarted, restarted.Outcome);
        Assert.NotEqual(killed, restarted.Pid);
        // keepalived removes leftover VIPs when it starts, and stays BACKUP (nopreempt).
        await WaitForVipsOnAsync(backup, "restart of a killed keepalived (stale VIPs removed)");
        await StaysOnAsync(backup, TimeSpan.FromSeconds(2), "the restarted hub must not take them back");
    }
}
