namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Reports the messages of the decision core's <c>Validate()</c> methods, the single source of truth for
/// which values are acceptable, at the YAML key each message is about. The core names fields in words
/// ("interval", "status range"); each table below maps those words to the key that holds the field.
/// </summary>
internal static class CoreValidation
{
    /// <summary>Phrases of <see cref="Model.CheckDefinition.Validate"/>, most specific first ("needs a port" names the port, not "port 0").</summary>
    public static readonly (string Phrase, string Key)[] CheckPhrases =
    [
        ("needs a name", "name"),
        ("fast_interval", "fast_interval"),
        ("interval", "interval"),
        ("timeout", "timeout"),
        ("rise", "rise"),
        ("fall", "fall"),
        ("attempts", "attempts"),
        ("status range", "expect_status"),
        ("path", "path"),
        ("command", "command"),
        ("port", "port"),
    ];

    /// <summary>Phrases of <see cref="Model.FailoverPolicyOptions.Validate"/>.</summary>
    public static readonly (string Phrase, string Key)[] PolicyPhrases =
    [
        ("preempt delay", "preempt_delay"),
        ("hold-down", "hold_down"),
        ("startup grace", "startup_grace"),
        ("last-resort", "last_resort"),
    ];

    /// <summary>
    /// Reports each message at the value of the key it is about, or at the mapping when that key is absent
    /// or no phrase matches. Messages about a key whose value already failed to parse are dropped: the
    /// parse error said it first, and the core only saw a stand-in default.
    /// </summary>
    /// <param name="subject">Text the core puts before the field words (e.g. "check http: "); ignored when matching, so a check named "port-probe" is not mistaken for its port.</param>
    /// <param name="describe">Turns a core message into the reported one, e.g. by naming the service.</param>
    public static void Report(
        MappingReader map,
        IEnumerable<string> messages,
        string subject,
        IReadOnlyList<(string Phrase, string Key)> phrases,
        Func<string, string>? describe = null)
    {
        foreach (var message in messages)
        {
            var about = message.StartsWith(subject, StringComparison.Ordinal) ? message[subject.Length..] : message;
            var key = phrases.FirstOrDefault(p => about.Contains(p.Phrase, StringComparison.Ordinal)).Key;
            if (key is not null && map.FailedKeys.Contains(key))
                continue;
            map.Errors.Report(key is null ? map.Node : map.PositionOf(key), describe is null ? message : describe(message));
        }
    }
}
