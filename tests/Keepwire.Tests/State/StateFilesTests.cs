using Keepwire.Files;
using Keepwire.State;
using Microsoft.Extensions.Logging;

namespace Keepwire.Tests.State;

/// <summary>
/// The state files only buy continuity, so a damaged one must never keep the hub from starting: it is read as
/// far as it can be, and what is dropped is logged.
/// </summary>
public sealed class StateFilesTests : IDisposable
{
    private static readonly DateTimeOffset Since = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-state-").FullName;
    private readonly RecordingLogger logger = new();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Journal => Path.Combine(directory, "decisions.json");

    private string Intent => Path.Combine(directory, "intent.json");

    [Fact]
    public void A_journal_listing_a_service_twice_keeps_the_higher_epoch_and_says_so()
    {
        // Before: ToDictionary threw on the second entry and the hub refused to start.
        File.WriteAllText(Journal, """
            [
              { "service": "web", "servingSite": "alpha", "epoch": 3, "since": "2025-01-02T03:04:05Z" },
              { "service": "web", "servingSite": "bravo", "epoch": 7, "since": "2025-01-02T03:04:05Z" },
              { "service": "web", "servingSite": "alpha", "epoch": 5, "since": "2025-01-02T03:04:05Z" },
              { "service": "dns", "servingSite": null, "epoch": 1, "since": "2025-01-02T03:04:05Z" }
            ]
            """);

        var records = new DecisionJournal(directory, logger).Load();

        Assert.Equal(("bravo", 7L), (records["web"].ServingSite, records["web"].Epoch));
        Assert.Equal(2, records.Count);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("dropped 2 entries", warning.Message, StringComparison.Ordinal);
        Assert.Contains("service 'web' again", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Journal_entries_that_cannot_be_right_are_dropped_and_the_rest_kept()
    {
        File.WriteAllText(Journal, """
            [
              null,
              { "servingSite": "alpha", "epoch": 1, "since": "2025-01-02T03:04:05Z" },
              { "service": "Not A Name", "epoch": 1, "since": "2025-01-02T03:04:05Z" },
              { "service": "web", "servingSite": "alpha\u001b[2J", "epoch": 1, "since": "2025-01-02T03:04:05Z" },
              { "service": "dns", "servingSite": "alpha", "epoch": -4, "since": "2025-01-02T03:04:05Z" },
              { "service": "ntp", "servingSite": "bravo", "epoch": 2, "since": "2025-01-02T03:04:05Z" }
            ]
            """);

        var records = new DecisionJournal(directory, logger).Load();

        Assert.Equal(["ntp"], records.Keys);
        Assert.Contains("dropped 5 entries", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"service\": \"web\"}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("\u0000\u0001\u0002")]
    public void A_journal_that_is_not_one_reads_as_empty_with_an_error_logged(string content)
    {
        File.WriteAllText(Journal, content);

        Assert.Empty(new DecisionJournal(directory, logger).Load());

        var error = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains($"State file {Journal} cannot be used (not a valid state file", error.Message, StringComparison.Ordinal);
        Assert.Contains("starting without it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_journal_too_large_is_not_read()
    {
        using (var file = File.Create(Journal))
            file.SetLength(StateFile.MaxBytes + 1L);

        Assert.Empty(new DecisionJournal(directory, logger).Load());

        Assert.Contains($"more than the {StateFile.MaxBytes} allowed", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_journal_that_is_a_directory_reads_as_empty()
    {
        Directory.CreateDirectory(Journal);

        Assert.Empty(new DecisionJournal(directory, logger).Load());

        Assert.Contains("it is a directory", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_journal_is_a_first_start_and_no_news()
    {
        Assert.Empty(new DecisionJournal(directory, logger).Load());
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void The_journal_reads_back_what_was_saved_owner_only_and_without_temporary_files()
    {
        var journal = new DecisionJournal(directory, logger);
        var record = new DecisionRecord("web", "alpha", 4, Since, Since);

        journal.Save([record]);

        Assert.Equal(record, journal.Load()["web"]);
        Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(Journal));
        Assert.Equal(["decisions.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void Unusable_intent_reads_as_no_pins_and_the_hub_starts()
    {
        // Before: a damaged intent.json threw, and the hub refused to start.
        File.WriteAllText(Intent, "{ \"pinnedSiteByService\": ");

        Assert.Same(OperatorIntent.None, new StateStore(directory, logger).LoadIntent());

        Assert.Contains("the operator's pins and drains", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Intent_entries_that_cannot_be_right_are_dropped_and_the_rest_kept()
    {
        File.WriteAllText(Intent, """
            {
              "pinnedSiteByService": { "web": "alpha", "dns": null, "Bad Name": "bravo", "ntp": "x\ny" },
              "drainedSites": [ "bravo", null, "bravo", "../etc" ]
            }
            """);

        var intent = new StateStore(directory, logger).LoadIntent();

        Assert.Equal(new Dictionary<string, string> { ["web"] = "alpha" }, intent.PinnedSiteByService);
        Assert.Equal(["bravo"], intent.DrainedSites);
        Assert.Contains("dropped 5 entries", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Intent_reads_back_what_was_saved()
    {
        var store = new StateStore(directory, logger);
        var intent = OperatorIntent.None.WithPin("web", "bravo").WithDrain("alpha", drained: true).RevisedAbove(41);

        store.SaveIntent(intent);

        Assert.True(store.LoadIntent().SameAs(intent));
        Assert.Equal(42, store.LoadIntent().Revision);
        Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(Intent));
    }

    [Theory]
    [InlineData("""{ "pinnedSiteByService": { "web": "alpha" }, "drainedSites": [] }""")]
    [InlineData("""{ "pinnedSiteByService": { "web": "alpha" }, "drainedSites": [], "revision": -5 }""")]
    public void Intent_from_before_revisions_or_with_a_negative_one_reads_as_revision_0(string content)
    {
        File.WriteAllText(Intent, content);

        var intent = new StateStore(directory, logger).LoadIntent();

        Assert.Equal("alpha", intent.PinnedSiteByService["web"]);
        Assert.Equal(0, intent.Revision);
    }
}
