using Keepwire.Configuration;
using Keepwire.Model;
using NSec.Cryptography;

namespace Keepwire.Tests.Configuration;

public sealed class WireGuardKeyTests
{
    /// <summary>
    /// The points of Curve25519 of order 1, 2, 4 and 8 and their non-canonical encodings (p, p+1), as libsodium
    /// lists them, each with and without the top bit that X25519 ignores.
    /// </summary>
    public static TheoryData<string> LowOrderPoints =>
    [
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA=",
        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA=",
        "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuIA=",
        "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc=", "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEdc=",
        "7P///////////////////////////////////////38=", "7P////////////////////////////////////////8=",
        "7f///////////////////////////////////////38=", "7f////////////////////////////////////////8=",
        "7v///////////////////////////////////////38=", "7v////////////////////////////////////////8=",
    ];

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_points_are_recognised(string text) => Assert.True(WireGuardKey.Parse(text).IsLowOrderPoint);

    [Fact]
    public void Generated_public_keys_are_not_low_order()
    {
        for (var i = 0; i < 50; i++)
            Assert.False(KeyPair.Generate().PublicKey.IsLowOrderPoint);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void A_low_order_point_is_what_breaks_the_pair_key_at_daemon_start(string text)
    {
        // Before: check accepted such a key, and the hub pair's key derivation threw when the daemon started.
        var peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, Convert.FromBase64String(text), KeyBlobFormat.RawPublicKey);
        using var own = Key.Create(KeyAgreementAlgorithm.X25519);

        Assert.Null(KeyAgreementAlgorithm.X25519.Agree(own, peer));
    }

    [Fact]
    public void Only_the_canonical_spelling_of_a_key_is_a_key()
    {
        const string canonical = "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=";
        // 'g' is 100000 in base64: its last two bits belong to no byte. h, i and j set them.
        foreach (var spelling in new[] { "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxh=", "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxj=" })
        {
            Assert.False(WireGuardKey.TryParse(spelling, out _));
            Assert.Equal(WireGuardKeyProblem.NotCanonical, WireGuardKey.Check(spelling, out var key));
            Assert.Equal(canonical, key.Base64);
        }

        Assert.Equal(WireGuardKeyProblem.None, WireGuardKey.Check(canonical, out _));
        Assert.Equal(WireGuardKeyProblem.NotAKey, WireGuardKey.Check(canonical[..43], out _));
        Assert.Equal(WireGuardKeyProblem.NotAKey, WireGuardKey.Check(new string('A', 44), out _));
    }
}
