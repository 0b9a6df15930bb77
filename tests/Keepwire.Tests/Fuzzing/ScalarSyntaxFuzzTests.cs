using CsCheck;
using Keepwire.Configuration.Parsing;
using Keepwire.Model;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The parsers of single config values take any text a file can hold: each gives a value or a problem, and
/// never throws. Inputs mix hostile characters into text shaped like the values (keys, durations, ports,
/// endpoints, addresses), so the parsers get past their first character.
/// </summary>
public sealed class ScalarSyntaxFuzzTests
{
    private static readonly Gen<string> Fragments = Gen.OneOf(
        Gen.Const("tcp/"), Gen.Const("udp/"), Gen.Const("-"), Gen.Const(":"), Gen.Const("::"), Gen.Const("["), Gen.Const("]"),
        Gen.Const("/"), Gen.Const("."), Gen.Const("ms"), Gen.Const("s"), Gen.Const("m"), Gen.Const("h"), Gen.Const("="),
        Gen.Const("65535"), Gen.Const("99999999999999999999"), Gen.Const("-1"), Gen.Const("0x"), Gen.Const("1e400"),
        Gen.Const("10.77.0.1"), Gen.Const("fd77::1"), Gen.Const("%eth0"), Gen.Const("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq="),
        Gen.Int[0, 70000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        FuzzGen.Text);

    private static readonly Gen<string> ValueLike = Gen.Frequency(
        (3, Fragments.Array[1, 8].Select(parts => string.Concat(parts))),
        (1, FuzzGen.Text));

    [Fact]
    public void Value_parsers_give_a_value_or_a_problem_and_never_throw() =>
        Fuzz.Property(ValueLike, text =>
        {
            _ = WireGuardKey.TryParse(text, out _);
            DurationSyntax.Parse(text, "timeout", out _);
            PortSyntax.Parse(text, out _);
            EndpointSyntax.Parse(text, out _);
            AddressSyntax.ParseHostAddress(text, out _);
            AddressSyntax.ParseInterfaceAddress(text, out _);
            AddressSyntax.ParseNetwork(text, out _);
            NameSyntax.CheckName(text);
            NameSyntax.CheckInterface(text, "interface");
        }, Fuzz.Printable);
}
