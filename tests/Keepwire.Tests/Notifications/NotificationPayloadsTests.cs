using System.Text;
using System.Text.Json;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Notifications;

namespace Keepwire.Tests.Notifications;

public sealed class NotificationPayloadsTests
{
    internal const string Secret = "0123456789abcdef0123456789abcdef";
    internal static readonly DateTimeOffset Now = new(2026, 12, 5, 20, 0, 0, TimeSpan.Zero);

    internal static readonly HubEvent Failover = new(HubEventKind.Switch, Now, "hub", "web: alpha → bravo, failover in 0.84 s (alpha: http check failed 4×: connection refused)")
    {
        Service = "web",
        From = "alpha",
        To = "bravo",
        Reason = "failover",
        Planned = false,
        Detail = "alpha: http check failed 4×: connection refused",
        Duration = TimeSpan.FromMilliseconds(843.27),
    };

    internal static NotifyTarget Target(NotifyKind kind, string? secretFile = null, params HubEventKind[] events) => new(
        "test.yaml:20", kind, kind == NotifyKind.Exec ? null : new Uri("https://receiver.example/hook/SECRETPATH"),
        kind == NotifyKind.Exec ? ["/usr/local/bin/page-me", "--urgent"] : [], secretFile,
        events.Length == 0 ? Enum.GetValues<HubEventKind>().ToHashSet() : events.ToHashSet(), TimeSpan.FromSeconds(5), 2);

    [Fact]
    public void A_webhook_carries_every_field_of_a_failover_with_its_duration_and_a_signature_over_timestamp_and_body()
    {
        var request = NotificationPayloads.Request(Target(NotifyKind.Webhook), Failover, Secret, Now);

        using var document = JsonDocument.Parse(request.Body);
        var root = document.RootElement;
        Assert.Equal("switch", root.GetProperty("event").GetString());
        Assert.Equal("2026-12-05T20:00:00.0000000Z", root.GetProperty("time").GetString());
        Assert.Equal(("web", "alpha", "bravo", "failover"), (root.GetProperty("service").GetString(), root.GetProperty("from").GetString(), root.GetProperty("to").GetString(), root.GetProperty("reason").GetString()));
        Assert.False(root.GetProperty("planned").GetBoolean());
        Assert.Equal(843.3, root.GetProperty("duration_ms").GetDouble());
        Assert.False(root.TryGetProperty("site", out _));
        Assert.Equal("application/json", request.ContentType);

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(), headers[WebhookSignature.TimestampHeader]);
        Assert.StartsWith("sha256=", headers[WebhookSignature.SignatureHeader]);
        Assert.True(WebhookSignature.Verify(Secret, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], request.Body, Now.AddSeconds(3)));
    }

    [Fact]
    public void A_signature_fails_for_another_body_another_secret_another_timestamp_and_an_old_request()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"switch\"}");
        var timestamp = Now.ToUnixTimeSeconds();
        var signature = WebhookSignature.Sign(Secret, timestamp, body);

        Assert.True(WebhookSignature.Verify(Secret, $"{timestamp}", signature, body, Now));
        Assert.False(WebhookSignature.Verify(Secret, $"{timestamp}", signature, Encoding.UTF8.GetBytes("{\"event\":\"site_up\"}"), Now));
        Assert.False(WebhookSignature.Verify(Secret + "x", $"{timestamp}", signature, body, Now));
        Assert.False(WebhookSignature.Verify(Secret, $"{timestamp + 1}", signature, body, Now));
        Assert.False(WebhookSignature.Verify(Secret, $"{timestamp}", signature, body, Now + WebhookSignature.Tolerance + TimeSpan.FromSeconds(1)));
        // The same MAC as any HMAC-SHA256 implementation computes over "TIMESTAMP.BODY", e.g. `openssl dgst -sha256 -hmac`.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{{\"event\":\"switch\"}}")));
        Assert.Equal("sha256=" + expected, signature);
    }

    [Fact]
    public void An_unsigned_webhook_has_no_signature_headers()
    {
        var request = NotificationPayloads.Request(Target(NotifyKind.Webhook), Failover, null, Now);

        Assert.Empty(request.Headers);
    }

    [Fact]
    public void Ntfy_gets_the_summary_as_text_with_a_title_tags_and_a_high_priority_for_a_failover()
    {
        var request = NotificationPayloads.Request(Target(NotifyKind.Ntfy), Failover, null, Now);

        Assert.Equal(Failover.Summary, Encoding.UTF8.GetString(request.Body));
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value);
        Assert.Equal("Keepwire: web failed over to bravo", headers["Title"]);
        Assert.Equal("warning", headers["Tags"]);
        Assert.Equal("4", headers["Priority"]);
    }

    [Fact]
    public void Discord_gets_content_and_Slack_gets_text_and_a_long_summary_stays_within_Discords_limit()
    {
        var discord = JsonDocument.Parse(NotificationPayloads.Request(Target(NotifyKind.Discord), Failover, null, Now).Body).RootElement;
        var slack = JsonDocument.Parse(NotificationPayloads.Request(Target(NotifyKind.Slack), Failover, null, Now).Body).RootElement;
        var longEvent = Failover with { Summary = new string('x', 5000) };
        var longDiscord = JsonDocument.Parse(NotificationPayloads.Request(Target(NotifyKind.Discord), longEvent, null, Now).Body).RootElement;

        Assert.Equal(Failover.Summary, discord.GetProperty("content").GetString());
        Assert.Equal(Failover.Summary, slack.GetProperty("text").GetString());
        Assert.Equal(2000, longDiscord.GetProperty("content").GetString()!.Length);
    }

    [Fact]
    public void Exec_gets_the_event_in_its_environment_and_leaves_out_what_the_event_does_not_have()
    {
        var variables = NotificationPayloads.Environment(Failover);
        var siteDown = NotificationPayloads.Environment(new HubEvent(HubEventKind.SiteDown, Now, "hub", "site alpha is down: …") { Site = "alpha" });

        Assert.Equal("switch", variables["KEEPWIRE_EVENT"]);
        Assert.Equal(("web", "alpha", "bravo", "failover", "false", "843.3"),
            (variables["KEEPWIRE_SERVICE"], variables["KEEPWIRE_FROM"], variables["KEEPWIRE_TO"], variables["KEEPWIRE_REASON"], variables["KEEPWIRE_PLANNED"], variables["KEEPWIRE_DURATION_MS"]));
        Assert.Equal("site_down", siteDown["KEEPWIRE_EVENT"]);
        Assert.Equal("alpha", siteDown["KEEPWIRE_SITE"]);
        Assert.False(siteDown.ContainsKey("KEEPWIRE_SERVICE"));
    }

    [Fact]
    public void A_receivers_name_in_logs_leaves_out_the_URL_path_which_often_is_its_secret()
    {
        Assert.Equal("discord https://receiver.example", Target(NotifyKind.Discord).Name);
        Assert.Equal("exec /usr/local/bin/page-me", Target(NotifyKind.Exec).Name);
    }
}
