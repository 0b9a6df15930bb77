using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Keepwire.Adapters.Posix;

/// <summary>A datagram read without waiting: its length, its source, the interface it came in on and when the kernel received it.</summary>
public readonly record struct ReadDatagram(int Length, IPAddress Source, int InterfaceIndex, DateTimeOffset? ReceivedAt);

/// <summary>
/// recvmsg(2) with MSG_DONTWAIT for a datagram socket, reading the ancillary data .NET's ReceiveMessageFrom drops: the
/// kernel's receive time (SO_TIMESTAMPNS) besides the interface (IP_PKTINFO, IPV6_PKTINFO). With the receive time a
/// datagram read long after it arrived still says when it did, so a reader can drain a socket on its own beat instead
/// of waking for every datagram (the hub's liveness stream: one wake-up a beat for every site).
/// </summary>
public static unsafe partial class DatagramReader
{
    // <asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>, <bits/socket.h>.
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35;
    private const int IpProtoIp = 0;
    private const int IpPktInfo = 8;
    private const int IpProtoIpV6 = 41;
    private const int IpV6PktInfo = 50;
    private const int MsgDontWait = 0x40;
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int ControlBytes = 256;
    private const int AddressBytes = 128;

    /// <summary>
    /// Asks the kernel to stamp every datagram with its receive time and to tell its interface. The kernel turns its
    /// receive stamps on for the whole system in deferred work, not within this call: a datagram that arrives in the
    /// first moments after the first such socket (system-wide) asked carries no stamp, and recvmsg stamps it with the
    /// time it is read. Such a time is late, never early.
    /// </summary>
    public static void EnableReceiveInfo(Socket socket)
    {
        socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));
        socket.SetSocketOption(socket.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
    }

    /// <summary>
    /// Reads the next datagram waiting in <paramref name="socket"/> into <paramref name="buffer"/> (a longer one is cut
    /// to the buffer: give it a byte to spare to tell a datagram that is too long); false when none waits.
    /// </summary>
    /// <exception cref="SocketException">recvmsg failed otherwise, e.g. with the ICMP error an earlier send drew (ECONNREFUSED).</exception>
    public static bool TryRead(Socket socket, Span<byte> buffer, out ReadDatagram datagram)
    {
        datagram = default;
        var address = stackalloc byte[AddressBytes];
        var control = stackalloc byte[ControlBytes];
        fixed (byte* data = buffer)
        {
            var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
            var message = new MessageHeader
            {
                Name = address,
                NameLength = AddressBytes,
                Vectors = &vector,
                VectorCount = 1,
                Control = control,
                ControlLength = ControlBytes,
            };
            var received = recvmsg(socket.SafeHandle, &message, MsgDontWait);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == Libc.WouldBlock ? false : throw new SocketException((int)SocketErrorOf(errno));
            }
            var (index, at) = ReadControl(control, (int)message.ControlLength);
            datagram = new ReadDatagram((int)received, SourceOf(address), index, at);
            return true;
        }
    }

    /// <summary>The interface index and receive time in the control messages.</summary>
    private static (int Index, DateTimeOffset? At) ReadControl(byte* control, int length)
    {
        var index = 0;
        DateTimeOffset? at = null;
        var header = sizeof(ControlHeader);
        var offset = 0;
        while (offset + header <= length)
        {
            var message = (ControlHeader*)(control + offset);
            var size = (int)message->Length;
            if (size < header || offset + size > length)
                break;
            var body = control + offset + Align(header);
            switch (message->Level, message->Type)
            {
                case (SolSocket, SoTimestampNs):
                    var spec = (TimeSpec*)body;
                    at = DateTimeOffset.FromUnixTimeSeconds(spec->Seconds).AddTicks(spec->Nanoseconds / 100);
                    break;
                case (IpProtoIp, IpPktInfo):
                    index = *(int*)body; // struct in_pktinfo: ipi_ifindex first
                    break;
                case (IpProtoIpV6, IpV6PktInfo):
                    index = *(int*)(body + 16); // struct in6_pktinfo: the address, then ipi6_ifindex
                    break;
            }
            offset += Align(size);
        }
        return (index, at);
    }

    private static IPAddress SourceOf(byte* address)
    {
        var family = *(ushort*)address;
        return family switch
        {
            AfInet => new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)),
            AfInet6 => new IPAddress(new ReadOnlySpan<byte>(address + 8, 16)),
            _ => IPAddress.None,
        };
    }

    private static int Align(int size) => (size + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    private static SocketError SocketErrorOf(int errno) => errno switch
    {
        111 => SocketError.ConnectionRefused,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        9 => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint recvmsg(SafeHandle socket, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public byte* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
