using System.Buffers;
using System.Text.Unicode;
using Keepwire.Configuration.Parsing;
using Keepwire.Files;
using Keepwire.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration;

/// <summary>
/// Reads a Keepwire YAML file into a validated <see cref="ClusterConfig"/>, or reports every problem in it,
/// each with the line and column of the node at fault and what to do about it.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] TopLevelKeys = ["hubs", "hub_pair", "sites", "services", "metrics", "notify", "dashboard", "liveness"];

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];


    /// <summary>Loads a config a daemon can run with, or throws <see cref="ConfigInvalidException"/> listing every problem.</summary>
    public static ClusterConfig LoadValid(string path)
    {
        var result = Load(path);
        return result.Config ?? throw new ConfigInvalidException(result.Errors);
    }

    /// <summary>Reads and validates a file, within <see cref="ConfigLimits"/>: it is looked at before it is read, and never read whole if too large.</summary>
    public static ConfigLoadResult Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAtMost(path, ConfigLimits.MaxFileBytes);
        }
        catch (FileReadException e)
        {
            var hint = e.Problem == FileReadProblem.TooLarge
                ? "a Keepwire configuration is a few kilobytes: check that this is the right file"
                : "pass the path of a readable YAML file";
            return ConfigLoadResult.Failure([new ConfigError(path, 0, 0, $"cannot read the configuration file: {e.Message}", hint)]);
        }

        return ParseBytes(bytes, path);
    }

    /// <summary>The file's bytes as UTF-8 text (YAML's encoding; a BOM is allowed), then <see cref="Parse"/>.</summary>
    internal static ConfigLoadResult ParseBytes(byte[] bytes, string sourcePath)
    {
        var source = bytes.AsSpan();
        if (source.StartsWith(Utf8Bom))
            source = source[Utf8Bom.Length..];
        var text = new char[source.Length];
        if (Utf8.ToUtf16(source, text, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            // 'written' characters decoded before the first bad byte: that is where it is.
            var valid = text.AsSpan(0, written);
            var line = valid.Count('\n') + 1;
            var column = valid.Length - valid.LastIndexOf('\n');
            return ConfigLoadResult.Failure([new ConfigError(sourcePath, line, column, "the file is not UTF-8 text: this byte does not belong to a UTF-8 character", "save the file as UTF-8")]);
        }

        return Parse(new string(text, 0, written), sourcePath);
    }

    /// <param name="sourcePath">Named in messages; relative key file paths are resolved against its directory.</param>
    public static ConfigLoadResult Parse(string yamlText, string sourcePath)
    {
        var errors = new ConfigErrorSink(sourcePath);
        if (yamlText.Length > ConfigLimits.MaxFileBytes)
        {
            errors.ReportFile($"the configuration is {yamlText.Length} characters, more than the {ConfigLimits.MaxFileBytes} allowed", "a Keepwire configuration is a few kilobytes");
            return ConfigLoadResult.Failure(errors.InFileOrder());
        }

        var root = ReadDocument(yamlText, errors);
        if (root is null)
            return ConfigLoadResult.Failure(errors.InFileOrder());

        var baseDirectory = string.IsNullOrEmpty(sourcePath)
            ? Directory.GetCurrentDirectory()
            : Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? "/";
        var config = Build(root, sourcePath, baseDirectory, errors);
        return config is not null && errors.Count == 0 ? ConfigLoadResult.Success(config) : ConfigLoadResult.Failure(errors.InFileOrder());
    }

    private static YamlNode? ReadDocument(string yamlText, ConfigErrorSink errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new BoundedYamlParser(new Parser(new StringReader(yamlText))));
        }
        catch (YamlLimitException e)
        {
            errors.Report(e.Start, e.Message, e.Hint);
            return null;
        }
        catch (YamlException e)
        {
            var (message, hint) = YamlSyntaxMessage(e);
            errors.Report(e.Start, message, hint);
            return null;
        }
        catch (ArgumentException e) when (e.ParamName == "parser")
        {
            // YamlDotNet's document model meets a parser event it does not expect after some malformed block
            // structures ("The current event is of an unsupported type", found by the fuzzer) instead of a syntax error.
            errors.Report(WhereScanningFails(yamlText), "YAML syntax error: the parser cannot continue after this point",
                "check the indentation and the ':' after each key here or just before");
            return null;
        }
        catch (ArgumentException)
        {
            // YamlDotNet's scanner decodes a "\udc00" escape (half of a surrogate pair, which is no character)
            // with Char.ConvertToUtf32, which throws instead of reporting a syntax error (found by the fuzzer).
            errors.Report(WhereScanningFails(yamlText), "YAML syntax error: a quoted value holds an escape that is no character (such as \\ud800 to \\udfff, half of a surrogate pair)",
                "write the character itself, or its full code point as \\U0001F600");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner sometimes fails without a position (seen with an unclosed '[' followed by
            // more lines); point at the last token it could read, which is where the damage starts.
            errors.Report(WhereScanningFails(yamlText), "YAML syntax error: the parser cannot continue after this point",
                "look for an unclosed '[', '{' or quote here or just after");
            return null;
        }

        if (stream.Documents.Count == 0 || YamlValues.IsNull(stream.Documents[0].RootNode))
        {
            errors.ReportFile("the configuration is empty", "start from examples/keepwire.yaml");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Report(stream.Documents[1].RootNode, "the file holds more than one YAML document", "remove the '---' separator and everything after it, or merge the documents");
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    /// <summary>YamlDotNet prefixes its messages with "(Line: …, Col: …, Idx: …) - (…): "; the location is already ours.</summary>
    private static (string Message, string Hint) YamlSyntaxMessage(YamlException e)
    {
        var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        var text = (message.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0 ? message[(marker + 3)..] : message).TrimEnd('.');

        // The representation model refuses a mapping with a repeated key while loading, before our own checks run.
        const string duplicate = "Duplicate key ";
        if (text.StartsWith(duplicate, StringComparison.Ordinal))
            return ($"key '{text[duplicate.Length..]}' appears twice in the same mapping", "remove one of them");
        return ($"YAML syntax error: {text}", "check the indentation and quoting around this spot");
    }

    /// <summary>
    /// Where YamlDotNet's scanner reports an error token, else the last token it could read: where the damage starts.
    /// Bounded: on some inputs the scanner yields the same error token at one place forever (a hostile file hung
    /// the loader, and a reload with it, found by the fuzzer), and no file of a few kilobytes has more tokens than
    /// <see cref="MaxTokensPerChar"/> per character.
    /// </summary>
    private static Mark WhereScanningFails(string yamlText)
    {
        var scanner = new Scanner(new StringReader(yamlText));
        var last = Mark.Empty;
        var maxTokens = ((long)yamlText.Length * MaxTokensPerChar) + 16;
        try
        {
            for (long read = 0; read < maxTokens && scanner.MoveNext(); read++)
            {
                if (scanner.Current is YamlDotNet.Core.Tokens.Error error)
                    return error.Start;
                last = scanner.Current?.Start ?? last;
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            // Expected: the same failure as the load; 'last' holds the last good position.
        }

        return last;
    }

    /// <summary>A token starts at a character at most; a few more (block ends, keys, values) at the same place.</summary>
    private const int MaxTokensPerChar = 4;

    private static ClusterConfig? Build(YamlNode root, string sourcePath, string baseDirectory, ConfigErrorSink errors)
    {
        if (MappingReader.Open(root, "the configuration", TopLevelKeys, errors) is not { } map)
            return null;

        var hubs = ReadList(map, "hubs", true, "add a hubs: list with one hub, or two for a pair", node => HubReader.Read(node, errors, baseDirectory));
        var pair = HubPairReader.Read(map);
        // 'sites: []' is valid: a hub fresh from `keepwire init` runs with no site until `keepwire site add`.
        var sites = ReadList(map, "sites", true, "add a sites: list ('sites: []' until the first `keepwire site add`)", node => SiteReader.Read(node, errors, baseDirectory), mayBeEmpty: true);
        var services = ReadList(map, "services", false, "", node => ServiceReader.Read(node, errors));
        var metrics = MetricsReader.Read(map);
        var liveness = LivenessReader.Read(map);
        var notify = NotifyReader.Read(map, baseDirectory);
        var dashboard = DashboardReader.Read(map, baseDirectory);

        IdentityRules.Check(hubs, sites, services, errors);
        var pairSettings = HubPairRules.Check(hubs, pair, services, errors);
        SiteInterfaces.Assign(hubs, sites, errors);
        TunnelAddressPlanner.Plan(hubs, sites, errors);
        ServiceRules.Check(services, hubs, sites, errors);
        RoutedServiceRules.Check(services, hubs, sites, pairSettings, errors);
        BackendRules.Check(services, hubs, sites, pairSettings, errors);
        ProbeBudget.Check(services, sites, errors);

        if (errors.Count > 0 || hubs.Count == 0)
            return null;
        return new ClusterConfig(sourcePath, [.. hubs.Select(h => h.ToNode())], [.. sites.Select(s => s.ToNode())], [.. services.Select(s => s.ToConfig())])
        {
            HubPair = pairSettings,
            Metrics = metrics,
            Notify = notify,
            Dashboard = dashboard,
            Liveness = liveness,
        };
    }

    private static List<T> ReadList<T>(MappingReader map, string key, bool required, string hint, Func<YamlNode, T?> read, bool mayBeEmpty = false)
        where T : class
    {
        var node = required ? map.Required(key, hint) : map.Optional(key);
        if (node is null || YamlValues.Sequence(node, key, map.Errors, $"write '{key}:' followed by '- ' entries") is not { } items)
            return [];
        if (required && !mayBeEmpty && items.Count == 0)
            map.Errors.Report(node, $"'{key}' is empty", hint);
        return [.. items.Select(read).OfType<T>()];
    }
}
