using System.Runtime.InteropServices;
using System.Threading.Channels;
using Keepwire.Adapters.Posix;
using Keepwire.Engine;
using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.Nflog;

/// <summary>
/// Reads the refusals the hub's table logs to its NFLOG group (<see cref="Reconciliation.NftForwardingTable.RefusalLogGroup"/>)
/// and hands each to the hub's loop as a <see cref="RefusedFlow"/>. One thread, blocked in the kernel until a
/// packet comes; it costs nothing while no site refuses anyone. The table limits how many refusals per site
/// it logs, so a flood of refused clients cannot flood the loop; what still arrives beyond the channel's room
/// is dropped (the next refusal says the same).
/// </summary>
public sealed partial class NflogRefusalListener : IDisposable
{
    /// <summary>How often the blocked thread wakes to see whether it should stop.</summary>
    private static readonly TimeSpan WakeUp = TimeSpan.FromMilliseconds(250);

    private readonly NetlinkSocket _socket;
    private readonly ChannelWriter<RefusedFlow> _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _overruns;

    private NflogRefusalListener(NetlinkSocket socket, ChannelWriter<RefusedFlow> output, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _output = output;
        _time = time;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "keepwire refusals" };
    }

    /// <summary>Times the kernel dropped logged packets because this listener fell behind.</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>Binds <paramref name="group"/> to a new netlink socket and starts reading it.</summary>
    /// <exception cref="IOException">The kernel refused: no nfnetlink_log, or another process has bound the group.</exception>
    public static NflogRefusalListener Start(ushort group, ChannelWriter<RefusedFlow> output, TimeProvider time, ILogger logger)
    {
        var socket = NetlinkSocket.Open(NetlinkSocket.NetfilterProtocol, groups: 0, WakeUp);
        try
        {
            socket.Send(NflogMessages.Bind(group, sequence: 1));
            var answer = new byte[512];
            var read = socket.ReceiveWithinTimeout(answer);
            var error = read > 0
                ? NflogMessages.Split(answer.AsMemory(0, read)).Where(m => m.Type == NflogMessages.ErrorMessage).Select(m => NflogMessages.ParseError(m.Body.Span)).FirstOrDefault()
                : null;
            if (error is not 0)
            {
                var why = error is { } errno ? Marshal.GetPInvokeErrorMessage(errno) : "no answer from the kernel";
                throw new IOException($"cannot bind NFLOG group {group}: {why}");
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new NflogRefusalListener(socket, output, time, logger);
        listener._thread.Start();
        return listener;
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            int read;
            try
            {
                read = _socket.ReceiveWithinTimeout(buffer);
            }
            catch (IOException e)
            {
                // Passive evidence stops; the probes and liveness go on deciding as they did without it.
                Log.Failed(_logger, e.Message);
                return;
            }
            if (read == NetlinkSocket.Overrun)
            {
                Interlocked.Increment(ref _overruns);
                continue;
            }
            var at = _time.GetUtcNow();
            foreach (var (type, body) in NflogMessages.Split(buffer.AsMemory(0, read)))
            {
                if (type == NflogMessages.PacketMessage && NflogMessages.ParsePacket(body.Span, at) is { } refused)
                    _output.TryWrite(refused);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
            _thread.Join(WakeUp * 4);
        _socket.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "reading the sites' refusals failed, the probes decide without them: {Error}")]
        public static partial void Failed(ILogger logger, string error);
    }
}
