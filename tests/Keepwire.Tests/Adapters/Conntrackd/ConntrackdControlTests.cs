using Keepwire.Adapters.Conntrackd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Adapters.Conntrackd;

public sealed class ConntrackdControlTests : IDisposable
{
    private readonly ConntrackdPaths _paths = new(Path.Combine(Path.GetTempPath(), $"kw-conntrackd-{Guid.NewGuid():N}"));
    private bool _running;

    public void Dispose()
    {
        if (Directory.Exists(_paths.Directory))
            Directory.Delete(_paths.Directory, recursive: true);
    }

    private (FakeCommandRunner Runner, ConntrackdControl Control) NewControl(Func<string, (int, string, string)>? respond = null)
    {
        var runner = new FakeCommandRunner((_, arguments, _) =>
        {
            var option = arguments[^1];
            if (option == "-d")
                _running = true;
            if (option == "-k")
                _running = false;
            if (option == "-s")
                return _running ? (0, "cache internal:", "") : (1, "", "can't connect: is conntrackd running?");
            return respond?.Invoke(option) ?? (0, "", "");
        });
        return (runner, new ConntrackdControl(runner, _paths, NullLogger.Instance));
    }

    private static IEnumerable<string> Options(FakeCommandRunner runner) => runner.Calls.Select(call => call.Arguments[^1]);

    [Fact]
    public async Task Starts_once_then_leaves_a_running_conntrackd_alone()
    {
        var (runner, control) = NewControl();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(_paths.Directory).FullName, "conntrackd.lock"), "");

        Assert.Equal(ConntrackdOutcome.Started, await control.EnsureRunningAsync(ConntrackdConfigRendererTests.Hub1()));
        Assert.Equal(ConntrackdOutcome.Unchanged, await control.EnsureRunningAsync(ConntrackdConfigRendererTests.Hub1()));

        Assert.Equal(["-s", "-d", "-s"], Options(runner));
        Assert.Equal(["-C", _paths.ConfigFile, "-d"], runner.Calls[1].Arguments);
        Assert.False(File.Exists(_paths.LockFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_paths.ConfigFile));
    }

    [Fact]
    public async Task A_changed_configuration_restarts_conntrackd()
    {
        var (runner, control) = NewControl();
        await control.EnsureRunningAsync(ConntrackdConfigRendererTests.Hub1());

        var outcome = await control.EnsureRunningAsync(ConntrackdConfigRendererTests.Hub1() with { Port = 3790 });

        Assert.Equal(ConntrackdOutcome.Restarted, outcome);
        Assert.Equal(["-s", "-d", "-s", "-k", "-d"], Options(runner));
        Assert.Contains("Port 3790", File.ReadAllText(_paths.ConfigFile));
    }

    [Fact]
    public async Task Becoming_active_commits_the_external_cache_then_flushes_resyncs_and_sends_in_bulk()
    {
        var (runner, control) = NewControl();

        Assert.Empty(await control.BecomeActiveAsync());

        Assert.Equal(["-c", "-f", "-R", "-B"], Options(runner));
    }

    [Fact]
    public async Task Becoming_standby_shortens_the_kernel_timers_and_asks_for_a_resync()
    {
        var (runner, control) = NewControl();

        Assert.Empty(await control.BecomeStandbyAsync());

        Assert.Equal(["-t", "-n"], Options(runner));
    }

    [Fact]
    public async Task A_failed_step_does_not_skip_the_rest_and_is_reported()
    {
        var (runner, control) = NewControl(option => option == "-c" ? (1, "", "can't connect: is conntrackd running?") : (0, "", ""));

        var failures = await control.BecomeActiveAsync();

        Assert.Equal(["-c", "-f", "-R", "-B"], Options(runner));
        var failure = Assert.Single(failures);
        Assert.Contains("-c: can't connect", failure);
    }
}
