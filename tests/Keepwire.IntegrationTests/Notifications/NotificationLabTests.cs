using System.Text.Json;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.Lab;
using Keepwire.Notifications;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Notifications;

/// <summary>
/// Notifications with the real daemons: webhook receivers on the loopback of the lab's hub namespace (only the
/// hub reaches them). The serving site's link is cut; the receiver gets a signed switch event with the measured
/// failover duration. A receiver that holds every request for 30 s does not slow the next failover.
/// </summary>
[Collection("namespaces")]
public sealed class NotificationLabTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    /// <summary>What the lab measures for a link cut without notifications is well under a second; this is generous for a loaded machine.</summary>
    private static readonly TimeSpan SwitchBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(30);

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_cut_link_reaches_a_webhook_as_a_signed_switch_event_with_the_failover_duration_and_a_slow_receiver_delays_no_switch()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var secretFile = Path.Combine(Lab.StateDirectory, "notify.secret");
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(secretFile, secret);
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var hubNamespace = Lab.Topology.NamespaceOf("hub");
        await using var receiver = new WebhookReceiver(hubNamespace, 9611, TimeSpan.Zero);
        await using var slow = new WebhookReceiver(hubNamespace, 9612, SlowAnswer);
        try
        {
            await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig + $"""
                notify:
                  - {"{"} type: webhook, url: "{receiver.Url}", secret_file: {secretFile} {"}"}
                  - {"{"} type: webhook, url: "{slow.Url}", timeout: 60s, retries: 0 {"}"}

                """);
            await Lab.ReloadAsync();

            var first = await CutAndWaitAsync("alpha", "bravo");
            var firstEvent = await WaitForSwitchAsync(receiver, "alpha", "bravo");
            await WaitUntilAsync(() => slow.Holding > 0, "the slow receiver to hold a request");

            // The slow receiver now holds a request for 30 s, and more wait in its queue: the next switch must not notice.
            // Past the hold-down (3 s between automatic switches), which would delay it on purpose.
            var pastHoldDown = first.SwitchedAt + TimeSpan.FromSeconds(4) - DateTimeOffset.UtcNow;
            if (pastHoldDown > TimeSpan.Zero)
                await Task.Delay(pastHoldDown);
            var second = await CutAndWaitAsync("bravo", "charlie");
            Assert.True(slow.Holding > 0, "the slow receiver answered before the second switch: the test did not cover a busy receiver");
            var secondEvent = await WaitForSwitchAsync(receiver, "bravo", "charlie");

            foreach (var (cut, received) in new[] { (first, firstEvent), (second, secondEvent) })
            {
                var headers = received.Headers;
                Assert.True(WebhookSignature.Verify(secret, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], received.Body, DateTimeOffset.UtcNow),
                    $"the signature does not verify: {received.Text}");
                using var document = JsonDocument.Parse(received.Body);
                var root = document.RootElement;
                Assert.Equal(("failover", false), (root.GetProperty("reason").GetString(), root.GetProperty("planned").GetBoolean()));
                var duration = TimeSpan.FromMilliseconds(root.GetProperty("duration_ms").GetDouble());
                output.WriteLine($"{cut.What}: switched {cut.Took.TotalMilliseconds:0} ms after the cut; the hub measured {duration.TotalMilliseconds:0} ms from the first failed probe: {root.GetProperty("summary").GetString()}");
                Assert.True(duration > TimeSpan.Zero && duration <= cut.Took + TimeSpan.FromSeconds(1),
                    $"the measured duration {duration.TotalMilliseconds:0} ms does not fit between the cut and the switch ({cut.Took.TotalMilliseconds:0} ms)");
            }

            Assert.True(first.Took < SwitchBound, $"the first switch took {first.Took.TotalMilliseconds:0} ms");
            Assert.True(second.Took < SwitchBound, $"the switch while a receiver held a request took {second.Took.TotalMilliseconds:0} ms");
            Assert.Contains(slow.Received, r => r.Text.Contains("\"from\":\"alpha\"", StringComparison.Ordinal));
            Assert.False(slow.Received.First().Headers.ContainsKey(WebhookSignature.SignatureHeader), "a receiver without a secret gets no signature");
        }
        finally
        {
            await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private sealed record Cut(string What, DateTimeOffset SwitchedAt, TimeSpan Took);

    /// <summary>Cuts the serving site's link and waits until web is served by <paramref name="to"/>; how long that took from the cut.</summary>
    private async Task<Cut> CutAndWaitAsync(string site, string to)
    {
        var fault = await Fault.CauseAsync($"{site}'s link cut", () => Lab.CutLinkAsync(site));
        var moved = await Lab.WaitForServingAsync("web", to);
        var switchedAt = moved.Since!.Value;
        return new Cut(fault.What, switchedAt, switchedAt - fault.End is var took && took > TimeSpan.Zero ? took : TimeSpan.Zero);
    }

    private static async Task<ReceivedWebhook> WaitForSwitchAsync(WebhookReceiver receiver, string from, string to)
    {
        ReceivedWebhook? found = null;
        await WaitUntilAsync(() => (found = receiver.Received.FirstOrDefault(r => IsSwitch(r, from, to))) is not null, $"a switch event of web from {from} to {to}");
        return found!;
    }

    private static bool IsSwitch(ReceivedWebhook received, string from, string to)
    {
        using var document = JsonDocument.Parse(received.Body);
        var root = document.RootElement;
        return root.GetProperty("event").GetString() == "switch" && root.TryGetProperty("service", out var service) && service.GetString() == "web"
            && root.TryGetProperty("from", out var f) && f.GetString() == from && root.TryGetProperty("to", out var t) && t.GetString() == to;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + FailoverSteps.DecisionTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
