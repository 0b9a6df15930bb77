using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.ProviderHooks;

namespace Keepwire.Tests.Adapters;

/// <summary>The real hook runner on real processes: arguments and environment in, exit code and bounded output out, a cancelled call's whole process group killed.</summary>
public sealed class ProviderHookProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kw-hook-").FullName;
    private readonly ProviderHookProcess _hooks = new(new CommandRunner());

    [Fact]
    public async Task The_hook_gets_its_arguments_then_the_action_and_the_VIPs_and_the_environment_and_its_exit_code_counts()
    {
        var script = Script("""
            echo "args: $*" >&2
            echo "hub: $KEEPWIRE_HUB"
            exit 3
            """);

        var outcome = await _hooks.RunAsync(Call(script, ProviderHookAction.Check), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("args: --config x check 198.51.100.80 2001:db8::80", outcome.FirstLine);
        Assert.Contains("hub: hub1", outcome.Output);
    }

    [Fact]
    public async Task Cancelling_kills_the_hooks_whole_process_group_children_included()
    {
        var pids = Path.Combine(_directory, "pids");
        // A child in the background that outlives a killed parent unless its group is killed.
        var script = Script($"""
            sleep 300 &
            echo "$$ $!" > {pids}
            wait
            """);
        using var cancel = new CancellationTokenSource();

        var call = _hooks.RunAsync(Call(script, ProviderHookAction.Assign), cancel.Token);
        await Eventually.True(() => File.Exists(pids) && File.ReadAllText(pids).Trim().Contains(' '));
        var processes = File.ReadAllText(pids).Trim().Split(' ').Select(int.Parse).ToList();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await Eventually.True(() => processes.All(pid => !Alive(pid)));
    }

    [Fact]
    public async Task Only_the_beginning_of_a_chatty_hooks_output_is_kept()
    {
        var script = Script("head -c 1000000 /dev/zero | tr '\\0' x; exit 0");

        var outcome = await _hooks.RunAsync(Call(script, ProviderHookAction.Assign), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.True(outcome.Output.Length <= 2 * ProviderHookProcess.OutputLimit + 1, $"{outcome.Output.Length} characters kept");
        Assert.Equal(201, outcome.FirstLine.Length); // 200 and the ellipsis
    }

    [Fact]
    public async Task A_hook_that_is_not_there_fails_with_127_and_says_so()
    {
        var outcome = await _hooks.RunAsync(Call(Path.Combine(_directory, "missing"), ProviderHookAction.Assign), CancellationToken.None);

        Assert.Equal(127, outcome.ExitCode);
        Assert.Contains("missing", outcome.Output);
    }

    private string Script(string body)
    {
        var path = Path.Combine(_directory, $"hook-{Guid.NewGuid():N}");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static ProviderHookCall Call(string program, ProviderHookAction action) =>
        new([program, "--config", "x"], action, [IPAddress.Parse("198.51.100.80"), IPAddress.Parse("2001:db8::80")],
            new Dictionary<string, string> { ["KEEPWIRE_HUB"] = "hub1" });

    /// <summary>Alive and not a zombie waiting for its parent to collect it.</summary>
    private static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
