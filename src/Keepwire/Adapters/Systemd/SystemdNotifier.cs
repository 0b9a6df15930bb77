using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Keepwire.Adapters.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per message to the Unix socket in <c>NOTIFY_SOCKET</c>
/// (a path, or <c>@name</c> for the abstract namespace). A dozen lines of protocol do not justify
/// Microsoft.Extensions.Hosting.Systemd, which brings the generic host and its dependency-injection container
/// into a daemon that has neither, for the same three messages: <c>READY=1</c>, <c>STATUS=…</c>, <c>WATCHDOG=1</c>.
/// Without <c>NOTIFY_SOCKET</c> (not under systemd, or <c>Type=simple</c>) every call does nothing. Sending
/// never throws and never blocks for long: the socket is non-blocking, and a message systemd cannot take is
/// dropped — the caller's loop matters more than one status line.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Lock _lock = new();
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private Socket? _socket;

    /// <param name="socketPath">NOTIFY_SOCKET's value; null: not under systemd.</param>
    /// <param name="watchdogInterval">WatchdogSec: ping at least twice within it; null: no watchdog.</param>
    public SystemdNotifier(string? socketPath, TimeSpan? watchdogInterval)
    {
        if (!string.IsNullOrEmpty(socketPath))
            _endPoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        WatchdogInterval = _endPoint is null ? null : watchdogInterval;
    }

    /// <summary>Does nothing.</summary>
    public static SystemdNotifier None { get; } = new(null, null);

    /// <summary>systemd's watchdog timeout for this process; null when there is none.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Messages go somewhere.</summary>
    public bool Enabled => _endPoint is not null;

    /// <summary>
    /// From the environment systemd sets (<c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c>, <c>WATCHDOG_PID</c>), which is
    /// then cleared as sd_notify's unset_environment does: the programs this daemon starts (keepalived,
    /// wireguard-go) must not report to the socket in its name.
    /// </summary>
    public static SystemdNotifier FromEnvironment()
    {
        var socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        TimeSpan? watchdog = null;
        var forPid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && (forPid is null || forPid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
            watchdog = TimeSpan.FromMicroseconds(usec);
        foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"])
            Environment.SetEnvironmentVariable(name, null);
        return new SystemdNotifier(socket, watchdog);
    }

    /// <summary>The service is up: systemd's start job finishes here (<c>Type=notify</c>).</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}");

    public void Status(string status) => Send($"STATUS={OneLine(status)}");

    /// <summary>The loop is alive; systemd restarts the service when these stop for <see cref="WatchdogInterval"/>.</summary>
    public void Watchdog() => Send("WATCHDOG=1");

    public void Stopping() => Send("STOPPING=1");

    private void Send(string message)
    {
        if (_endPoint is null)
            return;
        lock (_lock)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
                _socket.SendTo(Encoding.UTF8.GetBytes(message), _endPoint);
            }
            catch (SocketException)
            {
                // systemd gone or its queue full: the next message tries again on a fresh socket.
                _socket?.Dispose();
                _socket = null;
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    public void Dispose()
    {
        lock (_lock)
            _socket?.Dispose();
    }
}
