using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Fakes;

/// <summary>Says "changed" on the first call and after <see cref="Notify"/>, as the kernel's notifications would.</summary>
internal sealed class FakeRoutingChanges : IRoutingChanges
{
    private readonly Lock _lock = new();
    private bool _changed = true;

    /// <summary>Something changed links, addresses or routes.</summary>
    public void Notify()
    {
        lock (_lock)
            _changed = true;
    }

    public bool TakeChanged()
    {
        lock (_lock)
        {
            var changed = _changed;
            _changed = false;
            return changed;
        }
    }
}
