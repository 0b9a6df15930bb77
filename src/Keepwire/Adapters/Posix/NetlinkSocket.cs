using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Keepwire.Adapters.Posix;

/// <summary>
/// A netlink socket of the daemon's own network namespace: requests to the kernel and the kernel's answers, or
/// the notifications of the multicast groups it joined. Cheap enough to ask the kernel something every pass
/// where starting a program (<c>nft</c>, <c>ip</c>) is not.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    /// <summary>NETLINK_ROUTE: links, addresses, routes (what <c>ip</c> talks).</summary>
    public const int RouteProtocol = 0;

    /// <summary>NETLINK_NETFILTER: nftables (what <c>nft</c> talks).</summary>
    public const int NetfilterProtocol = 12;

    /// <summary>Bytes of a struct nlmsghdr.</summary>
    public const int HeaderLength = 16;

    private const int AddressFamilyNetlink = 16;
    private const int SocketRaw = 3;
    private const int SocketNonBlocking = 0x800;
    private const int SocketCloseOnExec = 0x80000;
    private const int SolSocket = 1;
    private const int SoReceiveTimeout = 20;
    private const int MessageDontWait = 0x40;
    private const int ErrnoWouldBlock = 11;
    private const int ErrnoNoBufferSpace = 105;
    private const int ErrnoInterrupted = 4;

    private readonly SocketHandle _handle;

    private NetlinkSocket(SocketHandle handle) => _handle = handle;

    /// <summary>Opens a socket of <paramref name="protocol"/>, joined to the multicast <paramref name="groups"/> (a bit mask; 0: none).</summary>
    /// <param name="receiveTimeout">How long a waiting <see cref="Receive"/> waits for an answer at most.</param>
    /// <exception cref="IOException">The kernel refused the socket (no such protocol, no permission).</exception>
    public static NetlinkSocket Open(int protocol, uint groups, TimeSpan receiveTimeout)
    {
        var fd = Libc.Socket(AddressFamilyNetlink, SocketRaw | SocketCloseOnExec | (groups == 0 ? 0 : SocketNonBlocking), protocol);
        if (fd < 0)
            throw Failure("open a netlink socket");
        var handle = new SocketHandle(fd);
        try
        {
            // struct timeval { long tv_sec; long tv_usec; } on a 64-bit Linux.
            Span<byte> timeout = stackalloc byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(timeout, (long)receiveTimeout.TotalSeconds);
            BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], receiveTimeout.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
            if (Libc.SetSocketOption(handle, SolSocket, SoReceiveTimeout, timeout, timeout.Length) != 0)
                throw Failure("set the netlink socket's receive timeout");
            if (groups != 0)
            {
                // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }; pid 0: the kernel picks one.
                Span<byte> address = stackalloc byte[12];
                BinaryPrimitives.WriteUInt16LittleEndian(address, AddressFamilyNetlink);
                BinaryPrimitives.WriteUInt32LittleEndian(address[8..], groups);
                if (Libc.Bind(handle, address, address.Length) != 0)
                    throw Failure("join the netlink groups");
            }
            return new NetlinkSocket(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request to the kernel.</summary>
    /// <exception cref="IOException">The kernel did not take it.</exception>
    public void Send(ReadOnlySpan<byte> message)
    {
        if (Libc.Send(_handle, message, message.Length, 0) != message.Length)
            throw Failure("send a netlink request");
    }

    /// <summary>
    /// Receives what is waiting: the bytes read, 0 when nothing waits (only without <paramref name="wait"/>), or
    /// <see cref="Overrun"/> when the kernel had to drop notifications because this socket did not read them in time.
    /// </summary>
    /// <exception cref="IOException">Nothing arrived within the receive timeout, or the socket failed.</exception>
    public int Receive(Span<byte> buffer, bool wait)
    {
        while (true)
        {
            var read = Libc.Receive(_handle, buffer, buffer.Length, wait ? 0 : MessageDontWait);
            if (read >= 0)
                return (int)read;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ErrnoInterrupted)
                continue;
            if (errno == ErrnoNoBufferSpace)
                return Overrun;
            if (errno == ErrnoWouldBlock && !wait)
                return 0;
            throw Failure(errno == ErrnoWouldBlock ? "receive the kernel's netlink answer in time" : "receive from the netlink socket", errno);
        }
    }

    /// <summary>
    /// Waits at most the receive timeout for a message: the bytes read, 0 when none came in time, or
    /// <see cref="Overrun"/> when the kernel dropped some (a listener that wakes up now and then to see whether to stop).
    /// </summary>
    /// <exception cref="IOException">The socket failed.</exception>
    public int ReceiveWithinTimeout(Span<byte> buffer)
    {
        while (true)
        {
            var read = Libc.Receive(_handle, buffer, buffer.Length, 0);
            if (read >= 0)
                return (int)read;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ErrnoInterrupted)
                continue;
            if (errno == ErrnoNoBufferSpace)
                return Overrun;
            if (errno == ErrnoWouldBlock)
                return 0;
            throw Failure("receive from the netlink socket", errno);
        }
    }

    /// <summary>What <see cref="Receive"/> returns when notifications were lost (ENOBUFS).</summary>
    public const int Overrun = -1;

    public void Dispose() => _handle.Dispose();

    private static IOException Failure(string what, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"cannot {what}: {Marshal.GetPInvokeErrorMessage(code)}");
    }

    private sealed class SocketHandle : SafeHandle
    {
        public SocketHandle(int fd)
            : base(-1, ownsHandle: true) => SetHandle(fd);

        public override bool IsInvalid => handle == -1;

        protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
    }
}
