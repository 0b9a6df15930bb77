using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

/// <summary>
/// Plays keepalived and the process table for the supervisor: "keepalived --vrrp" writes a pid file and
/// adds a process, "kill -s TERM" removes it, "keepalived --config-test" accepts or rejects.
/// </summary>
internal sealed class FakeKeepalivedHost : IProcessTable, IDisposable
{
    private readonly Dictionary<int, IReadOnlyList<string>> _processes = [];
    private int _nextPid = 4000;

    public FakeKeepalivedHost()
    {
        Paths = new KeepalivedPaths(Path.Combine(Path.GetTempPath(), $"kw-keepalived-{Guid.NewGuid():N}"));
        Runner = new FakeCommandRunner(Respond);
    }

    public KeepalivedPaths Paths { get; }

    public FakeCommandRunner Runner { get; }

    public string? RejectConfigWith { get; set; }

    public IReadOnlyList<string> Commands => [.. Runner.Calls.Select(call => $"{call.Program} {string.Join(' ', call.Arguments)}")];

    public IReadOnlyList<string>? CommandLine(int pid) => _processes.GetValueOrDefault(pid);

    /// <summary>A keepalived that dies without cleaning up: its pid file stays.</summary>
    public void Crash(int pid) => _processes.Remove(pid);

    public void Dispose()
    {
        if (Directory.Exists(Paths.Directory))
            Directory.Delete(Paths.Directory, recursive: true);
    }

    private (int, string, string) Respond(string program, IReadOnlyList<string> arguments, string? input)
    {
        if (program == "keepalived" && arguments.Contains("--config-test"))
            return RejectConfigWith is null ? (0, "", "") : (5, "", RejectConfigWith);
        if (program == "keepalived" && arguments.Contains("--vrrp"))
        {
            var pid = _nextPid++;
            _processes[pid] = ["keepalived", .. arguments];
            File.WriteAllText(Paths.PidFile, $"{pid}\n");
            return (0, "", "");
        }
        if (program == "kill" && arguments[1] == "TERM")
            _processes.Remove(int.Parse(arguments[2]));
        return (0, "", "");
    }
}
