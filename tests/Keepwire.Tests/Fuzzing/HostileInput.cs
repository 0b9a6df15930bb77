using System.Text;
using CsCheck;

namespace Keepwire.Tests.Fuzzing;

/// <summary>Generators of what an attacker or a broken peer sends: random bytes, and mutations of a valid message.</summary>
internal static class HostileInput
{
    /// <summary>The characters JSON is made of, more often than the rest.</summary>
    private const string JsonAlphabet = "{}[]\":,0123456789.-+eEtrufalsn\\/ \t\r\nabcdxyz\u00e9\u20ac";

    /// <summary>Any bytes, up to <paramref name="maxLength"/>.</summary>
    public static Gen<byte[]> Bytes(int maxLength) => Gen.Byte.Array[0, maxLength];

    /// <summary>Text that looks like JSON more often than random bytes do, as UTF-8.</summary>
    public static Gen<byte[]> JsonLike(int maxLength) =>
        Gen.Int[0, JsonAlphabet.Length - 1].Select(i => JsonAlphabet[i]).Array[0, maxLength]
            .Select(chars => Encoding.UTF8.GetBytes(chars));

    /// <summary>
    /// <paramref name="valid"/> with a few random edits: bytes flipped, cut short, a slice repeated, or JSON-ish
    /// text spliced in. Most outputs are almost valid, which is where parsers break.
    /// </summary>
    public static Gen<byte[]> Mutations(byte[] valid) =>
        Gen.Select(
            Gen.Int[0, 3],
            Gen.Select(Gen.Int[0, Math.Max(0, valid.Length - 1)], Gen.Byte).Array[1, 6],
            Gen.Int[0, valid.Length],
            JsonLike(40),
            (kind, flips, at, splice) =>
            {
                switch (kind)
                {
                    case 0:
                        var flipped = (byte[])valid.Clone();
                        foreach (var (index, value) in flips)
                        {
                            if (flipped.Length > 0)
                                flipped[index] = value;
                        }
                        return flipped;
                    case 1:
                        return valid[..at];
                    case 2:
                        return [.. valid[..at], .. valid[..at], .. valid[at..]];
                    default:
                        return [.. valid[..at], .. splice, .. valid[at..]];
                }
            });

    /// <summary>Random bytes, JSON-ish text and mutations of <paramref name="valid"/>, mixed.</summary>
    public static Gen<byte[]> Payloads(byte[] valid, int maxLength) =>
        Gen.OneOf(Bytes(maxLength), JsonLike(maxLength), Mutations(valid), Mutations(valid));
}
