namespace Keepwire.IntegrationTests.Dashboard;

/// <summary>
/// Debian's chromium (scripts/install-deps), started inside a lab namespace: Playwright launches a small
/// wrapper as its browser executable, which runs <c>ip netns exec NAMESPACE /usr/bin/chromium ARGS</c>. Playwright
/// talks to it over a pipe, so the browser sees the namespace's network (the hub's loopback) and the test
/// does not; no browser is ever downloaded.
/// </summary>
internal sealed class NamespacedChromium : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _directory = Directory.CreateTempSubdirectory("kw-chromium-").FullName;

    public NamespacedChromium(string networkNamespace)
    {
        ExecutablePath = Path.Combine(_directory, "chromium-in-" + networkNamespace);
        File.WriteAllText(ExecutablePath, $"#!/bin/sh\nexec ip netns exec '{networkNamespace}' {Chromium} \"$@\"\n");
        File.SetUnixFileMode(ExecutablePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string ExecutablePath { get; }

    public static bool IsInstalled => File.Exists(Chromium);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
