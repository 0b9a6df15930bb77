using System.Text.Json;
using Keepwire.Reports;
using Keepwire.Tests.Reports;
using Xunit.Abstractions;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The site report codec on hostile input: whatever arrives on the report port, from anyone, or from a site
/// that holds its key and sends garbage signed, the decoder answers with a report or a rejection and never
/// throws. A report it accepts satisfies what the hub relies on.
/// </summary>
public sealed class ReportCodecFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly ReportKeys _keys = new();

    [Fact]
    public void Any_bytes_from_anyone_are_a_rejection_never_an_exception()
    {
        var valid = SiteReportCodec.Encode(ReportKeys.Report(), _keys.SiteSide);

        FuzzBudget.Run(HostileInput.Payloads(valid, SiteReport.MaxBytes + 64), datagram =>
        {
            var accepted = SiteReportCodec.TryDecode(datagram, _keys.HubSide, out var report, out _);
            // Without the key nothing but the untouched original can pass.
            if (accepted && !datagram.AsSpan().SequenceEqual(valid))
                throw new InvalidOperationException("an altered datagram was accepted");
            _ = report;
        }, output);
    }

    [Fact]
    public void Garbage_signed_with_the_sites_key_is_a_report_or_a_rejection_never_an_exception()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(ReportKeys.Report(), Web);

        FuzzBudget.Run(HostileInput.Payloads(json, SiteReport.MaxBytes), payload =>
        {
            var datagram = SiteReportCodecTests.Signed(payload, _keys.SiteSide);
            if (SiteReportCodec.TryDecode(datagram, _keys.HubSide, out var report, out _)
                && (report.Site.Length == 0 || report.Reason is null || report.Sequence <= 0))
                throw new InvalidOperationException($"accepted a report the hub cannot use: {report}");
        }, output);
    }

    public void Dispose() => _keys.Dispose();
}
