using System.Text;
using Keepwire.Configuration;
using Keepwire.Tests.Fuzzing;

namespace Keepwire.Tests.Configuration;

/// <summary>
/// Files built to exhaust the loader (deep nesting, exponential aliases, huge values, huge files, endless
/// devices) get one clear error at the spot where they cross a limit, never a crash or a hang. Each runs on a
/// small stack (<see cref="Bounded"/>): before the limits a deep file overflowed the stack and killed the process.
/// </summary>
public sealed class ConfigLimitsTests : IDisposable
{
    private const string FileName = "cluster.yaml";

    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-limits-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Deeply_nested_flow_lists_stop_at_the_depth_limit()
    {
        var text = "hubs: " + new string('[', 50_000) + new string(']', 50_000) + "\n";

        // The first '[' (column 7) is at depth 2, under the top-level mapping: the 64th one crosses the limit.
        AssertSingleError(text, 1, 6 + ConfigLimits.MaxDepth, $"nested more than {ConfigLimits.MaxDepth} levels deep");
    }

    [Fact]
    public void Deeply_nested_flow_mappings_stop_at_the_depth_limit()
    {
        var text = new StringBuilder().Insert(0, "{a: ", 20_000).Append('b').Append('}', 20_000).ToString();

        AssertSingleError(text, 1, 1 + (ConfigLimits.MaxDepth * 4), "nested more than");
    }

    [Fact]
    public void Deeply_indented_block_mappings_stop_at_the_depth_limit()
    {
        var lines = Enumerable.Range(0, 200).Select(level => new string(' ', level) + "a:");

        AssertSingleError(string.Join('\n', lines) + " b\n", ConfigLimits.MaxDepth + 1, ConfigLimits.MaxDepth + 1, "nested more than");
    }

    [Fact]
    public void Aliases_that_multiply_a_node_stop_at_the_node_limit()
    {
        // The "billion laughs": each level is ten aliases of the one before, 10^9 values once expanded.
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 9; level++)
            text.Append($"a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat($"*a{level - 1}", 10))}]\n");

        var error = AssertSingleError(text.ToString(), 5, null, $"more than {ConfigLimits.MaxNodes} values, counting each repetition an alias makes");
        Assert.Contains("aliases", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_inside_the_node_it_names_is_refused_so_the_model_holds_no_cycle() =>
        AssertSingleError("hubs: &loop [a, *loop]\n", 1, 17, "alias '*loop' is inside the node it refers to");

    [Fact]
    public void An_alias_to_an_anchor_not_yet_defined_is_refused() =>
        AssertSingleError("hubs: [*later]\nsites: &later [a]\n", 1, 8, "alias '*later' refers to no anchor '&later' before it");

    [Fact]
    public void A_list_as_a_mapping_key_is_refused() =>
        AssertSingleError("? [a, b]\n: c\n", 1, 3, "a mapping key must be a plain name, not a list");

    [Fact]
    public void An_alias_as_a_mapping_key_is_refused() =>
        AssertSingleError("a: &k [x]\n*k : c\n", 2, 1, "a mapping key must be a plain name, not an alias");

    [Fact]
    public void A_huge_value_is_refused() =>
        AssertSingleError($"hubs: {new string('x', ConfigLimits.MaxScalarChars + 1)}\n", 1, 7, $"longer than the {ConfigLimits.MaxScalarChars} allowed");

    [Fact]
    public void Anchors_and_aliases_within_the_limits_still_work()
    {
        var text = ConfigText.Base.Replace(14, "    ports: &web-ports [tcp/80]").Append(
            "  - name: web2", "    vips: [203.0.113.81]", "    ports: *web-ports", "    sites: [alpha]");

        text.AssertValid(FileName);
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_refused_without_reading_it()
    {
        var path = Path.Combine(directory, FileName);
        using (var file = File.Create(path))
            file.SetLength(50L * 1024 * 1024);

        var error = Assert.Single(ConfigLoader.Load(path).Errors);

        Assert.Equal($"{path}: cannot read the configuration file: it is 52428800 bytes, more than the {ConfigLimits.MaxFileBytes} allowed (hint: a Keepwire configuration is a few kilobytes: check that this is the right file)", error.ToString());
    }

    [Fact]
    public void A_device_that_never_ends_is_refused_without_reading_it()
    {
        var error = Assert.Single(Bounded.Run(() => ConfigLoader.Load("/dev/zero")).Errors);

        Assert.StartsWith("/dev/zero: cannot read the configuration file: it is a device, not a regular file", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_an_error_at_their_line_and_column()
    {
        var path = Path.Combine(directory, FileName);
        var bytes = Encoding.UTF8.GetBytes(ConfigText.Base.ToString()).ToList();
        var lineThree = Encoding.UTF8.GetBytes("hubs:\n  - name: hub\n").Length;
        bytes.Insert(lineThree + 4, 0xFF);
        File.WriteAllBytes(path, [.. bytes]);

        var error = Assert.Single(ConfigLoader.Load(path).Errors);

        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.Contains("not UTF-8 text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_allowed()
    {
        var path = Path.Combine(directory, FileName);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ConfigText.Base.ToString())]);

        Assert.True(ConfigLoader.Load(path).Succeeded);
    }

    [Fact]
    public void Pages_of_errors_are_cut_to_the_first_ones_and_a_count_of_the_rest()
    {
        var text = "hubs: []\nsites: []\n" + string.Concat(Enumerable.Range(0, 300).Select(i => $"unknown{i}: x\n"));

        var errors = ConfigLoader.Parse(text, FileName).Errors;

        Assert.Equal(ConfigLimits.MaxErrorsShown + 1, errors.Count);
        // 300 unknown keys and no hub ('sites: []' is valid: a hub fresh from keepwire init has none).
        Assert.Equal($"{FileName}: {301 - ConfigLimits.MaxErrorsShown} more problem(s) not shown (hint: fix the ones above first)", errors[^1].ToString());
    }

    private static ConfigError AssertSingleError(string text, int line, int? column, string fragment)
    {
        var result = Bounded.Run(() => ConfigLoader.Parse(text, FileName));

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(line, error.Line);
        if (column is { } expected)
            Assert.Equal(expected, error.Column);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        return error;
    }
}
