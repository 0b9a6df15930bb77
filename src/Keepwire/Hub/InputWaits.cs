using System.Threading.Channels;

namespace Keepwire.Hub;

/// <summary>
/// The hub loop's waits for its input channels: one <see cref="ChannelReader{T}.WaitToReadAsync"/> per channel, kept
/// from one sleep of the loop to the next until it completes. A fresh set of waits per sleep would have to cancel
/// every wait that did not wake the loop, and a channel completes a cancelled wait by throwing an
/// <see cref="OperationCanceledException"/> inside it: five or six exceptions per wake, hundreds a second on a hub
/// whose loop wakes for every liveness beat and probe result (measured: 485 a second in the hub-pair lab). A wait
/// that is kept costs nothing until its channel has something to read.
/// Used by the loop alone (not thread-safe).
/// </summary>
internal sealed class InputWaits
{
    private Dictionary<object, Task> _waits = new(ReferenceEqualityComparer.Instance);
    private Dictionary<object, Task> _asked = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The wait for <paramref name="reader"/>: the one from an earlier round while it has not completed, else a new one.
    /// <paramref name="stopping"/> cancels it; nothing else does.
    /// </summary>
    public Task For<T>(ChannelReader<T> reader, CancellationToken stopping)
    {
        if (!_waits.TryGetValue(reader, out var wait) || wait.IsCompleted)
            wait = reader.WaitToReadAsync(stopping).AsTask();
        _asked[reader] = wait;
        return wait;
    }

    /// <summary>Ends a round: the waits of channels not asked for in it (a hub pair's, after a reload replaced it) are let go.</summary>
    public void EndRound()
    {
        (_waits, _asked) = (_asked, _waits);
        _asked.Clear();
    }
}
