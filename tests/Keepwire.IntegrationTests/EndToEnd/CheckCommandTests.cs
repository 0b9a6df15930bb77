using System.Text.RegularExpressions;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// <c>keepwire check FILE</c>, the real binary: exit code 2 for a bad file, and every problem on
/// stderr as <c>file:line:column: message</c>, so an editor or CI can jump to it.
/// </summary>
[Collection("namespaces")]
public sealed partial class CheckCommandTests : IDisposable
{
    private const string HubKey = "WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=";
    private const string AlphaKey = "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=";

    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-check-").FullName;

    [Fact]
    public async Task A_file_with_several_problems_exits_2_and_names_each_line_and_column()
    {
        var file = Write("several.yaml", $"""
            hubs:
              - name: hub
                endpoint: hub.example.net:51820
                public_key: {HubKey}
                tunnel: {"{"} ipv4: 10.77.0.1/24, ipv6: "fd77::1/64" {"}"}
            sites:
              - name: alpha
                public_key: {AlphaKey}
              - name: alpha
                public_key: {AlphaKey}
            services:
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80, tcp/70000]
                sites: [alpha]

            """);

        var check = await LabClient.RunKeepwireAsync("check", file);

        Assert.Equal(2, check.ExitCode);
        Assert.Equal("", check.StandardOutput);
        var errors = ErrorLines(check.StandardError);
        Assert.All(errors, e => Assert.Equal(file, e.File));
        Assert.Contains(errors, e => e.Line == 9 && e.Column == 11 && e.Message.Contains("alpha", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 14 && e.Column == 21 && e.Message.Contains("70000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_not_valid_yaml_exits_2_and_names_where_it_breaks()
    {
        var file = Write("broken.yaml", """
            hubs:
              - name: hub
                endpoint: hub.example.net:51820
                tunnel: { ipv4: 10.77.0.1/24
            sites: []

            """);

        var check = await LabClient.RunKeepwireAsync("check", file);

        Assert.Equal(2, check.ExitCode);
        var error = Assert.Single(ErrorLines(check.StandardError));
        Assert.Equal(file, error.File);
        Assert.InRange(error.Line, 4, 5);
    }

    [Fact]
    public async Task A_deeply_nested_file_exits_2_with_one_error_instead_of_a_stack_overflow()
    {
        // Before: the document model recursed once per '[' and the process died of a stack overflow (exit 134).
        var file = Write("deep.yaml", "hubs: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        var check = await LabClient.RunKeepwireAsync("check", file);

        Assert.Equal(2, check.ExitCode);
        var error = Assert.Single(ErrorLines(check.StandardError));
        Assert.Equal((1, 70), (error.Line, error.Column));
        Assert.Contains("nested more than 64 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_file_exits_0()
    {
        var file = Write("good.yaml", $"""
            hubs:
              - name: hub
                endpoint: hub.example.net:51820
                public_key: {HubKey}
                tunnel: {"{"} ipv4: 10.77.0.1/24, ipv6: "fd77::1/64" {"}"}
            sites:
              - name: alpha
                public_key: {AlphaKey}
            services:
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha]

            """);

        var check = await LabClient.RunKeepwireAsync("check", file);

        Assert.True(check.ExitCode == 0, $"exit {check.ExitCode}: {check.StandardError}");
        Assert.StartsWith($"{file}: ok", check.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Every line of stderr but the closing count must be <c>file:line:column: message</c>;
    /// a line in any other shape fails the test.
    /// </summary>
    private static IReadOnlyList<(string File, int Line, int Column, string Message)> ErrorLines(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\d+ problem\(s\)$", lines[^1]);
        Assert.True(lines.Length > 1, $"no problem reported:\n{stderr}");
        return lines[..^1].Select(line =>
        {
            var match = Located().Match(line);
            Assert.True(match.Success, $"not in file:line:column form: {line}");
            return (match.Groups["file"].Value, int.Parse(match.Groups["line"].Value), int.Parse(match.Groups["column"].Value), match.Groups["message"].Value);
        }).ToList();
    }

    [GeneratedRegex(@"^(?<file>/[^:]+):(?<line>[1-9]\d*):(?<column>[1-9]\d*): (?<message>.+)$")]
    private static partial Regex Located();
}
