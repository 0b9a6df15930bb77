using System.Diagnostics;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class KeyPairTests
{
    [Fact]
    public void Derived_public_keys_match_wg_pubkey()
    {
        for (var i = 0; i < 5; i++)
        {
            var pair = KeyPair.Generate();

            Assert.Equal(pair.PublicKey.Base64, WgPubkey(pair.PrivateKey.Base64));
            Assert.Equal(pair.PublicKey, KeyPair.PublicKeyOf(pair.PrivateKey));
        }
    }

    [Fact]
    public void Public_key_of_a_wg_genkey_private_key_matches_wg_pubkey()
    {
        var privateKey = WireGuardKey.Parse(RunWg(["genkey"], null));

        Assert.Equal(WgPubkey(privateKey.Base64), KeyPair.PublicKeyOf(privateKey).Base64);
    }

    [Fact]
    public void Generated_private_keys_are_clamped_and_distinct()
    {
        var first = KeyPair.Generate();
        var second = KeyPair.Generate();

        Assert.NotEqual(first.PrivateKey, second.PrivateKey);
        var bytes = Convert.FromBase64String(first.PrivateKey.Base64);
        Assert.Equal(0, bytes[0] & 7);
        Assert.Equal(64, bytes[31] & 0xc0);
    }

    [Fact]
    public void ToString_never_shows_the_private_key()
    {
        var pair = KeyPair.Generate();

        Assert.DoesNotContain(pair.PrivateKey.Base64, pair.ToString(), StringComparison.Ordinal);
        Assert.Contains(pair.PublicKey.Base64, pair.ToString(), StringComparison.Ordinal);
    }

    private static string WgPubkey(string privateKey) => RunWg(["pubkey"], privateKey + "\n");

    /// <summary>Runs the real wg tool; the test is meaningless against anything else, so a missing wg fails it.</summary>
    private static string RunWg(string[] arguments, string? input)
    {
        var start = new ProcessStartInfo("wg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start wg");
        if (input is not null)
            process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"wg {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
        return output.Trim();
    }
}
