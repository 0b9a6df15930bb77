using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Health;
using Keepwire.Model;

namespace Keepwire.Tests.Health;

public sealed class ExecHealthCheckTests
{
    private static readonly IPAddress Site = IPAddress.Parse("10.77.0.2");

    private static ExecHealthCheck Check(IReadOnlyList<string> command, ICommandRunner? runner = null, int timeoutMs = 10_000) => new(
        new CheckDefinition("script", CheckKind.Exec) { Command = command, Timeout = TimeSpan.FromMilliseconds(timeoutMs) },
        runner ?? new CommandRunner(),
        TimeProvider.System);

    [Fact]
    public async Task The_command_gets_the_address_as_last_argument_and_in_the_environment()
    {
        using var check = Check(["sh", "-c", "test \"$KEEPWIRE_SITE_ADDRESS\" = \"$1\" && test \"$KEEPWIRE_SITE\" = a", "probe"]);
        var result = await check.ProbeAsync("a", Site);
        Assert.True(result.Success, result.Detail);
        Assert.Equal("exit 0", result.Detail);
    }

    [Fact]
    public async Task It_runs_through_the_command_runner_as_an_argument_list()
    {
        var runner = new RecordingRunner();
        using var check = Check(["/usr/local/bin/check-db", "--quick"], runner);
        await check.ProbeAsync("a", Site);
        var (program, arguments, environment) = Assert.Single(runner.Calls);
        Assert.Equal("/usr/local/bin/check-db", program);
        Assert.Equal(["--quick", "10.77.0.2"], arguments);
        Assert.Equal(new Dictionary<string, string> { ["KEEPWIRE_SITE_ADDRESS"] = "10.77.0.2", ["KEEPWIRE_SITE"] = "a" }, environment);
    }

    [Fact]
    public async Task A_program_whose_name_contains_an_equals_sign_is_run_not_taken_for_a_variable()
    {
        // Before: the command went through env(1), which read "…/check=ok" as an assignment and ran "10.77.0.2".
        var directory = Directory.CreateTempSubdirectory("keepwire-exec-").FullName;
        try
        {
            var program = Path.Combine(directory, "check=ok");
            File.WriteAllText(program, "#!/bin/sh\ntest \"$1\" = 10.77.0.2 && test \"$KEEPWIRE_SITE\" = a\n");
            File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var check = Check([program]);

            var result = await check.ProbeAsync("a", Site);

            Assert.True(result.Success, result.Detail);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Only_the_start_of_what_a_check_prints_is_kept()
    {
        var runner = new RecordingRunner();
        using var check = Check(["yes"], runner);
        await check.ProbeAsync("a", Site);
        Assert.Equal([ICommandRunner.CheckOutputLimit], runner.OutputLimits);
    }

    [Fact]
    public async Task A_check_that_prints_without_end_fails_on_its_timeout()
    {
        using var check = Check(["yes"], timeoutMs: 1000);
        var result = await check.ProbeAsync("a", Site);
        Assert.False(result.Success);
        Assert.Equal("timeout after 1000 ms", result.Detail);
    }

    [Fact]
    public async Task A_nonzero_exit_fails_with_the_first_line_of_its_error_output()
    {
        using var check = Check(["sh", "-c", "echo 'replica lag 40 s' >&2; echo more >&2; exit 2"]);
        var result = await check.ProbeAsync("a", Site);
        Assert.False(result.Success);
        Assert.Equal("exit 2: replica lag 40 s", result.Detail);
    }

    [Fact]
    public async Task A_command_that_runs_too_long_times_out()
    {
        using var check = Check(["sh", "-c", "sleep 10"], timeoutMs: 300);
        var result = await check.ProbeAsync("a", Site);
        Assert.False(result.Success);
        Assert.Equal("timeout after 300 ms", result.Detail);
    }

    private sealed class RecordingRunner : ICommandRunner
    {
        public List<(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string>? Environment)> Calls { get; } = [];

        public List<int> OutputLimits { get; } = [];

        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
        {
            Calls.Add((program, arguments, environment));
            OutputLimits.Add(outputLimit);
            return Task.FromResult(new CommandResult(program, arguments, 0, "", ""));
        }
    }
}
