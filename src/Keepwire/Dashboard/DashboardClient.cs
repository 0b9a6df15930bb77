using System.Threading.Channels;

namespace Keepwire.Dashboard;

/// <summary>
/// One open event stream's queue of frames to send. Bounded, dropping the oldest: a browser that reads too slowly
/// misses old frames (the next status frame carries the whole picture again) instead of making the hub hold
/// an ever longer backlog, or wait.
/// </summary>
internal sealed class DashboardClient
{
    public const int Capacity = 256;

    private readonly Channel<string> _frames = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<string> Frames => _frames.Reader;

    public void Offer(string frame) => _frames.Writer.TryWrite(frame);
}
