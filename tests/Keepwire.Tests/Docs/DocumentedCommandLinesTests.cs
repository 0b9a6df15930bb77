using System.CommandLine;
using System.Text.RegularExpressions;
using Keepwire.Cli;

namespace Keepwire.Tests.Docs;

/// <summary>
/// Every <c>keepwire …</c> command line in the README, docs/, bench/README.md, deploy/ and examples/
/// parses with the real command line (parse only, nothing runs), so a renamed option or command
/// cannot leave the documentation behind (an example config once said <c>keygen --out</c>).
/// <c>keepwire lab …</c> is parsed by keepwire-lab's command line, which <c>keepwire lab</c> hands it to.
/// </summary>
public sealed partial class DocumentedCommandLinesTests
{
    private static readonly RootCommand Root = KeepwireCommandLine.Create();

    private static readonly RootCommand LabRoot = Keepwire.Lab.Commands.LabCommand.Root();

    private static readonly IReadOnlySet<string> CommandNames = Root.Subcommands.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_documented_command_line_parses_with_the_real_command_line()
    {
        var commands = InEveryDocument(DocumentedCommands.Find);

        // The README alone shows a dozen; finding few means the extraction broke, not that the docs are right.
        Assert.True(commands.Count >= 30, $"only {commands.Count} command lines found:\n{string.Join("\n", commands)}");
        var problems = commands.Select(c => (Command: c, Errors: Problems(c))).Where(p => p.Errors.Count > 0).ToList();
        Assert.True(problems.Count == 0, "command lines in the docs that keepwire does not accept:\n" + string.Join("\n", problems.Select(p => $"{p.Command}\n    {string.Join("; ", p.Errors)}")));
    }

    [Fact]
    public void Every_mention_of_a_keepwire_command_is_in_code_where_this_test_can_check_it()
    {
        var mentions = InEveryDocument(DocumentedCommands.UncheckableMentions);

        Assert.True(mentions.Count == 0, "keepwire commands written outside code (put them in `backticks`):\n" + string.Join("\n", mentions));
    }

    [Fact]
    public void A_wrong_option_in_an_example_config_comment_is_found_and_rejected()
    {
        const string yaml = "hubs:\n  - name: hub\n    # Generate with: `keepwire keygen --out /etc/keepwire/hub.key` (prints the public key).\n";

        var command = Assert.Single(DocumentedCommands.Find("examples/keepwire.yaml", yaml, CommandNames));

        Assert.Equal(3, command.Line);
        Assert.Equal(["keygen", "--out", "/etc/keepwire/hub.key"], command.Arguments);
        Assert.Contains(Problems(command), e => e.Contains("--out", StringComparison.Ordinal));
    }

    [Fact]
    public void Code_blocks_lose_comments_and_other_commands_and_placeholders_become_words()
    {
        const string markdown = """
            Run `keepwire status [--json]`, or:
            ```sh
            dotnet publish src/Keepwire.Cli -o /opt/keepwire && ln -s /opt/keepwire/keepwire /usr/local/bin/keepwire
            keepwire keygen --private-key /etc/keepwire/$(hostname).key   # prints the public key
            ```
            and `dotnet artifacts/keepwire/keepwire.dll lab up --prefix kwp`, then `… lab down --prefix kwp`;
            `keepwire check <your config>`.
            """;

        var commands = DocumentedCommands.Find("README.md", markdown, CommandNames).Select(c => (c.Line, string.Join(' ', c.Arguments))).ToList();

        Assert.Equal(
            [(4, "keygen --private-key /etc/keepwire/x.key"), (1, "status --json"), (1, "status"), (6, "lab up --prefix kwp"), (6, "lab down --prefix kwp"), (7, "check x")],
            commands);
    }

    [Fact]
    public void A_bare_command_name_in_prose_may_leave_out_required_options_but_must_exist()
    {
        Assert.Empty(Problems(new DocumentedCommand("README.md", 1, "keepwire site", ["site"])));
        Assert.NotEmpty(Problems(new DocumentedCommand("README.md", 1, "keepwire agent", ["agent"])));
        Assert.NotEmpty(Problems(new DocumentedCommand("README.md", 1, "keepwire site --nodes a", ["site", "--nodes", "a"])));
    }

    [Fact]
    public void Lab_command_lines_are_parsed_by_keepwire_lab()
    {
        Assert.Empty(Problems(new DocumentedCommand("README.md", 1, "keepwire lab up --hub-pair", ["lab", "up", "--hub-pair"])));
        Assert.Empty(Problems(new DocumentedCommand("README.md", 1, "keepwire lab", ["lab"])));
        Assert.NotEmpty(Problems(new DocumentedCommand("README.md", 1, "keepwire lab link cut hub1", ["lab", "link", "cut", "hub1"])));
        Assert.NotEmpty(Problems(new DocumentedCommand("README.md", 1, "keepwire lab up --hub-pairs", ["lab", "up", "--hub-pairs"])));
    }

    /// <summary>
    /// What keepwire would reject in <paramref name="command"/>. A bare command name (<c>keepwire site</c>,
    /// no options or arguments) names the command in prose: it must exist, its required options may be left out.
    /// </summary>
    private static List<string> Problems(DocumentedCommand command)
    {
        var lab = command.Arguments.Count > 0 && command.Arguments[0] == "lab";
        var root = lab ? LabRoot : Root;
        var arguments = command.Arguments.Skip(lab ? 1 : 0).ToList();
        if (command.Arguments.Count > 0 && IsCommandPath(root, arguments))
            return [];
        // A placeholder for a number (--priority N, --join-port PORT) cannot parse as one; the option itself is checked.
        return [.. root.Parse(arguments).Errors.Select(e => e.Message).Where(message => !NumberPlaceholder().IsMatch(message))];
    }

    [GeneratedRegex(@"^Cannot parse argument '[A-Z][A-Z_]*' for option")]
    private static partial Regex NumberPlaceholder();

    private static bool IsCommandPath(Command root, IReadOnlyList<string> words)
    {
        Command current = root;
        foreach (var word in words)
        {
            var next = current.Subcommands.FirstOrDefault(c => c.Name == word);
            if (next is null)
                return false;
            current = next;
        }
        return true;
    }

    /// <summary>What <paramref name="find"/> finds in each document (its path, its text, keepwire's command names).</summary>
    private static List<T> InEveryDocument<T>(Func<string, string, IReadOnlySet<string>, IEnumerable<T>> find)
    {
        var root = RepositoryCheckout.Root();
        return [.. DocumentedCommands.DocumentFiles(root).SelectMany(file => find(file, File.ReadAllText(Path.Combine(root, file)), CommandNames))];
    }
}
