namespace Keepwire.Sync;

/// <summary>What one datagram brought: a whole message, a part kept until the rest arrives (both null), or a rejection.</summary>
/// <param name="Direct">With a message: one of its parts came from the peer's pair address.</param>
public readonly record struct HubSyncAssembly(HubSyncMessage? Message, HubSyncRejection? Rejection, bool Direct);

/// <summary>
/// Puts a sync message back together from its parts (<see cref="HubSyncCodec"/>), whichever paths they took:
/// the copies every site relays are the same bytes, so a part lost on one path may arrive on another.
/// Only authenticated parts are kept, and only for the newest few messages: memory is bounded by
/// <see cref="MaxPending"/> × <see cref="HubSyncCodec.MaxParts"/> × <see cref="HubSyncCodec.ChunkBytes"/> whatever
/// arrives. A message whose parts do not all arrive before newer ones push it out is lost, like a lost
/// datagram: the peer sends its whole state again every advert interval. Not thread-safe: the receive loop owns it.
/// </summary>
public sealed class HubSyncAssembler(HubSyncCodec codec)
{
    /// <summary>Messages being put together at once; the oldest started gives way.</summary>
    public const int MaxPending = 4;

    /// <summary>Messages remembered as complete, so the copies relays deliver later are dropped without decoding them again.</summary>
    private const int CompletedMemory = 64;

    private readonly List<Pending> _pending = [];
    private readonly HashSet<(Guid, long)> _completed = [];
    private readonly Queue<(Guid, long)> _completedOrder = new();

    /// <param name="direct">The datagram came from the peer's pair address.</param>
    public HubSyncAssembly Add(ReadOnlySpan<byte> datagram, bool direct)
    {
        if (!codec.TryDecodePart(datagram, out var part, out var rejection))
            return new(null, rejection, false);

        var id = (part.BootId, part.Sequence);
        if (_completed.Contains(id))
        {
            // One copy of the message counts once as a duplicate, by its first part; the rest go silently.
            return part.Index == 0 ? new(null, HubSyncRejection.Duplicate, false) : default;
        }

        var pending = _pending.Find(p => p.Id == id);
        if (pending is null)
        {
            if (_pending.Count == MaxPending)
                _pending.RemoveAt(0);
            pending = new Pending(id, part.Count);
            _pending.Add(pending);
        }
        else if (pending.Chunks.Length != part.Count)
        {
            // Signed by the peer, yet inconsistent: a broken sender. The message cannot be trusted whole.
            _pending.Remove(pending);
            return new(null, HubSyncRejection.Malformed, false);
        }

        pending.Add(part.Index, part.Chunk, direct);
        if (!pending.IsComplete)
            return default;

        _pending.Remove(pending);
        Remember(id);
        return HubSyncCodec.TryDecodeMessage(pending.Payload(), part.BootId, part.Sequence, out var message, out rejection)
            ? new(message, null, pending.Direct)
            : new(null, rejection, false);
    }

    private void Remember((Guid, long) id)
    {
        _completed.Add(id);
        _completedOrder.Enqueue(id);
        if (_completedOrder.Count > CompletedMemory)
            _completed.Remove(_completedOrder.Dequeue());
    }

    private sealed class Pending((Guid, long) id, int count)
    {
        private int _received;

        public (Guid, long) Id { get; } = id;

        public byte[]?[] Chunks { get; } = new byte[count][];

        public bool Direct { get; private set; }

        public bool IsComplete => _received == Chunks.Length;

        public void Add(int index, byte[] chunk, bool direct)
        {
            Direct |= direct;
            if (Chunks[index] is not null)
                return;
            Chunks[index] = chunk;
            _received++;
        }

        public byte[] Payload()
        {
            var payload = new byte[Chunks.Sum(c => c!.Length)];
            var offset = 0;
            foreach (var chunk in Chunks)
            {
                chunk!.CopyTo(payload, offset);
                offset += chunk.Length;
            }
            return payload;
        }
    }
}
