using Keepwire.Model;

namespace Keepwire.Tests.Network;

internal static class TestKeys
{
    /// <summary>A syntactically valid key whose 32 bytes all equal <paramref name="seed"/>.</summary>
    public static WireGuardKey Key(byte seed) => WireGuardKey.Parse(Convert.ToBase64String(Enumerable.Repeat(seed, 32).ToArray()));
}
