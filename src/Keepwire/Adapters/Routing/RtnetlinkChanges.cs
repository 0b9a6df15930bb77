using Keepwire.Adapters.Posix;

namespace Keepwire.Adapters.Routing;

/// <summary>
/// <see cref="IRoutingChanges"/> from the kernel's own notifications: a netlink socket of the daemon's namespace
/// joined to the link, address and route groups (what <c>ip monitor</c> listens to) receives a message for every
/// change, by anyone. Nothing waiting on it means nothing changed. Notifications the kernel had to drop (the
/// socket's buffer overran) count as a change, and so does any failure: then the pass reads everything.
/// </summary>
public sealed class RtnetlinkChanges : IRoutingChanges, IDisposable
{
    private const uint Links = 0x1;
    private const uint IPv4Addresses = 0x10;
    private const uint IPv4Routes = 0x40;
    private const uint IPv6Addresses = 0x100;
    private const uint IPv6Routes = 0x400;

    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private NetlinkSocket? _socket;
    private bool _first = true;

    /// <summary>Joins the link, address and route groups now, so that every change from here on is seen.</summary>
    public RtnetlinkChanges()
        : this(Links | IPv4Addresses | IPv4Routes | IPv6Addresses | IPv6Routes)
    {
    }

    private RtnetlinkChanges(uint groups)
    {
        try
        {
            _socket = NetlinkSocket.Open(NetlinkSocket.RouteProtocol, groups, TimeSpan.FromSeconds(1));
        }
        catch (IOException)
        {
            // No socket: every call says "changed", which is what the hub did before.
            _socket = null;
        }
    }

    /// <summary>Changes of addresses only (IPv4 and IPv6), for a reader that cares about nothing else.</summary>
    public static RtnetlinkChanges Addresses() => new(IPv4Addresses | IPv6Addresses);

    public bool TakeChanged()
    {
        lock (_lock)
        {
            var changed = _first || _socket is null;
            _first = false;
            try
            {
                // Drain everything waiting: one pass answers for all of it.
                while (_socket is not null && _socket.Receive(_buffer, wait: false) is var read && read != 0)
                    changed = true;
            }
            catch (IOException)
            {
                _socket?.Dispose();
                _socket = null;
                changed = true;
            }
            return changed;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
