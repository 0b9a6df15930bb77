using Keepwire.Adapters.Keepalived;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class KeepalivedSupervisorTests : IDisposable
{
    private readonly FakeKeepalivedHost _host = new();

    public void Dispose() => _host.Dispose();

    private KeepalivedSupervisor NewSupervisor() => new(_host.Runner, _host.Paths, _host, NullLogger.Instance);

    /// <summary>The sample, with its track file inside the test's directory.</summary>
    private KeepalivedSettings Settings() => KeepalivedSamples.Hub1() with { TrackFile = _host.Paths.TrackFile };

    [Fact]
    public async Task Starts_keepalived_vrrp_only_with_its_own_pid_files_after_checking_the_config()
    {
        var state = await NewSupervisor().EnsureRunningAsync(Settings());

        Assert.Equal(KeepalivedOutcome.Started, state.Outcome);
        var dir = _host.Paths.Directory;
        Assert.Equal(
        [
            $"keepalived --config-test --use-file={dir}/keepalived.conf.new",
            $"keepalived --vrrp --log-detail --use-file={dir}/keepalived.conf --pid={dir}/keepalived.pid --vrrp_pid={dir}/vrrp.pid --checkers_pid={dir}/checkers.pid",
        ], _host.Commands);
        Assert.Equal(KeepalivedConfigRenderer.Render(Settings()), File.ReadAllText(_host.Paths.ConfigFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_host.Paths.ConfigFile));
        Assert.False(File.Exists(_host.Paths.CandidateConfigFile));
    }

    [Fact]
    public async Task Creates_the_track_files_directory_so_keepalived_can_watch_it()
    {
        var settings = Settings() with { TrackFile = Path.Combine(_host.Paths.Directory, "health", "keepwire") };

        await NewSupervisor().EnsureRunningAsync(settings);

        Assert.True(Directory.Exists(Path.Combine(_host.Paths.Directory, "health")));
    }

    [Fact]
    public async Task A_second_call_with_the_same_settings_does_nothing()
    {
        var supervisor = NewSupervisor();
        var first = await supervisor.EnsureRunningAsync(Settings());
        var commands = _host.Commands.Count;

        var second = await supervisor.EnsureRunningAsync(Settings());

        Assert.Equal(new KeepalivedRunState(KeepalivedOutcome.Unchanged, first.Pid), second);
        Assert.Equal(commands, _host.Commands.Count);
    }

    [Fact]
    public async Task A_new_supervisor_adopts_the_running_keepalived_without_signalling_it()
    {
        var first = await NewSupervisor().EnsureRunningAsync(Settings());
        var commands = _host.Commands.Count;

        var adopted = await NewSupervisor().EnsureRunningAsync(Settings());

        Assert.Equal(new KeepalivedRunState(KeepalivedOutcome.Adopted, first.Pid), adopted);
        Assert.Equal(commands, _host.Commands.Count);
    }

    [Fact]
    public async Task A_changed_config_is_checked_installed_and_reloaded_with_sighup()
    {
        var supervisor = NewSupervisor();
        var first = await supervisor.EnsureRunningAsync(Settings());
        var changed = Settings() with { Priority = 120 };

        var state = await supervisor.EnsureRunningAsync(changed);

        Assert.Equal(new KeepalivedRunState(KeepalivedOutcome.Reloaded, first.Pid), state);
        Assert.Equal(
            [$"keepalived --config-test --use-file={_host.Paths.CandidateConfigFile}", $"kill -s HUP {first.Pid}"],
            _host.Commands.Skip(2));
        Assert.Contains("priority 120", File.ReadAllText(_host.Paths.ConfigFile));
    }

    [Fact]
    public async Task A_rejected_config_leaves_the_running_config_and_keepalived_alone()
    {
        var supervisor = NewSupervisor();
        await supervisor.EnsureRunningAsync(Settings());
        _host.RejectConfigWith = "Non-existent interface specified in configuration";

        var error = await Assert.ThrowsAsync<KeepalivedException>(() => supervisor.EnsureRunningAsync(Settings() with { Interface = "eth9" }));

        Assert.Equal(KeepalivedFailure.ConfigRejected, error.Reason);
        Assert.Contains("Non-existent interface", error.Message);
        Assert.Contains("interface eth0", File.ReadAllText(_host.Paths.ConfigFile));
        Assert.DoesNotContain(_host.Commands, command => command.StartsWith("kill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_keepalived_that_died_is_started_again_from_a_clean_set_of_pid_files()
    {
        var supervisor = NewSupervisor();
        var first = await supervisor.EnsureRunningAsync(Settings());
        _host.Crash(first.Pid);
        File.WriteAllText(_host.Paths.VrrpPidFile, "1\n");

        var state = await supervisor.EnsureRunningAsync(Settings());

        Assert.Equal(KeepalivedOutcome.Restarted, state.Outcome);
        Assert.NotEqual(first.Pid, state.Pid);
        Assert.False(File.Exists(_host.Paths.VrrpPidFile));
    }

    [Fact]
    public async Task A_stale_pid_file_found_by_a_new_supervisor_counts_as_a_restart()
    {
        var first = await NewSupervisor().EnsureRunningAsync(Settings());
        _host.Crash(first.Pid);

        var state = await NewSupervisor().EnsureRunningAsync(Settings());

        Assert.Equal(KeepalivedOutcome.Restarted, state.Outcome);
    }

    [Fact]
    public async Task Stop_terminates_keepalived_and_removes_its_files()
    {
        var supervisor = NewSupervisor();
        var first = await supervisor.EnsureRunningAsync(Settings());

        Assert.True(await supervisor.StopAsync());

        Assert.Equal($"kill -s TERM {first.Pid}", _host.Commands[^1]);
        Assert.Null(supervisor.RunningPid());
        Assert.False(File.Exists(_host.Paths.PidFile));
        Assert.False(File.Exists(_host.Paths.ConfigFile));
        Assert.False(await supervisor.StopAsync());
    }
}
