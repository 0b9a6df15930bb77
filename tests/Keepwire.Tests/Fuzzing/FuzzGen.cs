using CsCheck;

namespace Keepwire.Tests.Fuzzing;

/// <summary>Generators of hostile text and bytes, shared by the fuzz properties of every input surface.</summary>
internal static class FuzzGen
{
    /// <summary>
    /// Characters that break naive handling: C0/C1 controls, DEL, NUL, line and paragraph separators, bidi
    /// overrides and isolates, zero-width and BOM, a lone surrogate of each kind, and some ordinary non-ASCII.
    /// </summary>
    public const string Awkward =
        "\0\a\b\t\n\v\f\r\u001b\u007f\u0085\u009b\u00a0\u2028\u2029\u200b\u200d\u202a\u202e\u2066\u2069\ufeff\ufffd\ud800\udc00é漢🙂";

    public static readonly Gen<char> Char = Gen.Frequency(
        (6, Gen.Char[' ', '~']),
        (2, Gen.Char[Awkward]),
        (1, Gen.Char));

    public static readonly Gen<string> Text = Gen.String[Char, 0, 200];

    /// <summary>Random bytes, mostly short, now and then long.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (8, Gen.Byte.Array[0, 256]),
        (1, Gen.Byte.Array[0, 65536]));
}
