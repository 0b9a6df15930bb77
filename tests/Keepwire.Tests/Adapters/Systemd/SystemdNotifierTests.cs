using System.Net.Sockets;
using System.Text;
using Keepwire.Adapters.Systemd;
using Keepwire.Tests.Fakes;

namespace Keepwire.Tests.Adapters.Systemd;

public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Messages_reach_a_socket_path_as_one_datagram_each_with_the_status_on_one_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kw-notify-{Guid.NewGuid():N}.sock");
        using var socket = new NotifySocket(path);
        using var notifier = new SystemdNotifier(path, TimeSpan.FromSeconds(30));

        notifier.Ready("2/2 services\nserved");
        notifier.Watchdog();

        Assert.Equal("READY=1\nSTATUS=2/2 services served", await socket.ReceiveAsync(Patience));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(Patience));
        Assert.Equal(TimeSpan.FromSeconds(30), notifier.WatchdogInterval);
    }

    [Fact]
    public async Task An_at_sign_names_a_socket_in_the_abstract_namespace()
    {
        var name = $"kw-notify-{Guid.NewGuid():N}";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var notifier = new SystemdNotifier("@" + name, null);

        notifier.Status("ok");

        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Patience);
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.Equal("STATUS=ok", Encoding.UTF8.GetString(buffer, 0, length));
    }

    [Fact]
    public void Without_a_socket_nothing_is_sent_there_is_no_watchdog_and_nothing_throws()
    {
        using var notifier = new SystemdNotifier(null, TimeSpan.FromSeconds(30));

        notifier.Ready("up");
        notifier.Watchdog();

        Assert.False(notifier.Enabled);
        Assert.Null(notifier.WatchdogInterval);
    }

    [Fact]
    public void A_socket_nobody_listens_on_loses_the_message_but_never_throws()
    {
        using var notifier = new SystemdNotifier(Path.Combine(Path.GetTempPath(), $"kw-absent-{Guid.NewGuid():N}.sock"), null);

        notifier.Ready("up");
        notifier.Status("still up");

        Assert.True(notifier.Enabled);
    }
}
