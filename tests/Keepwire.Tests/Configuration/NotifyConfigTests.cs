using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class NotifyConfigTests
{
    [Fact]
    public void Every_receiver_type_and_the_dashboard_are_read_with_their_defaults()
    {
        var yaml = ConfigText.Base.Append(
            /* 16 */ "notify:",
            /* 17 */ "  - { type: webhook, url: https://hooks.example.net/kw, secret_file: notify.secret, events: [switch, site_down] }",
            /* 18 */ "  - { type: ntfy, url: https://ntfy.sh/my-topic, timeout: 2s, retries: 0 }",
            /* 19 */ "  - { type: discord, url: https://discord.com/api/webhooks/1/x }",
            /* 20 */ "  - { type: slack, url: https://hooks.slack.com/services/x }",
            /* 21 */ "  - { type: exec, command: [/usr/local/bin/page-me, --urgent] }",
            /* 22 */ "dashboard: { listen: \"[::]:9600\", token_file: /etc/keepwire/dashboard.token }").ToString();

        var result = ConfigLoader.Parse(yaml, "/etc/keepwire/cluster.yaml");

        Assert.Empty(result.Errors);
        var notify = result.Config!.Notify;
        Assert.Equal([NotifyKind.Webhook, NotifyKind.Ntfy, NotifyKind.Discord, NotifyKind.Slack, NotifyKind.Exec], notify.Select(n => n.Kind));
        Assert.Equal("/etc/keepwire/notify.secret", notify[0].SecretFile);
        Assert.Equal([HubEventKind.Switch, HubEventKind.SiteDown], notify[0].Events.Order());
        Assert.Equal("/etc/keepwire/cluster.yaml:17", notify[0].Origin);
        Assert.Equal((NotifyTarget.DefaultTimeout, NotifyTarget.DefaultRetries), (notify[0].Timeout, notify[0].Retries));
        Assert.Equal((TimeSpan.FromSeconds(2), 0), (notify[1].Timeout, notify[1].Retries));
        Assert.Equal(Enum.GetValues<HubEventKind>().Length, notify[2].Events.Count);
        Assert.Equal(["/usr/local/bin/page-me", "--urgent"], notify[4].Command);
        Assert.Null(notify[4].Url);
        Assert.Equal(new DashboardSettings(new IPEndPoint(IPAddress.IPv6Any, 9600), "/etc/keepwire/dashboard.token", "/etc/keepwire/cluster.yaml:22"), result.Config.Dashboard);
    }

    [Fact]
    public void A_bare_dashboard_key_serves_on_loopback_and_no_notify_key_means_nobody_is_told()
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append("dashboard:").ToString(), "cluster.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, DashboardSettings.DefaultPort), result.Config!.Dashboard!.Listen);
        Assert.True(result.Config.Dashboard.IsLoopbackOnly);
        Assert.Empty(result.Config.Notify);
    }

    [Theory]
    [InlineData("  - { type: pager, url: https://x.example/ }", 17, "unknown notify type 'pager'")]
    [InlineData("  - { type: webhook }", 17, "notify entry is missing required key 'url'")]
    [InlineData("  - { type: webhook, url: ftp://x.example/ }", 17, "url must be an absolute http:// or https:// URL")]
    [InlineData("  - { type: webhook, url: \"https://user:pw@x.example/\" }", 17, "without user:password@")]
    [InlineData("  - { type: ntfy, url: https://ntfy.sh/t, secret_file: /s }", 17, "type ntfy does not use it")]
    [InlineData("  - { type: exec, command: [page-me] }", 17, "the program 'page-me' is not an absolute path")]
    [InlineData("  - { type: exec, url: https://x.example/, command: [/bin/true] }", 17, "url is not for type exec")]
    [InlineData("  - { type: slack, url: https://x.example/, events: [switch, failover] }", 17, "unknown event 'failover'")]
    [InlineData("  - { type: slack, url: https://x.example/, events: [] }", 17, "events is empty")]
    [InlineData("  - { type: slack, url: https://x.example/, timeout: 5m }", 17, "timeout 5m is out of range")]
    [InlineData("  - { type: slack, url: https://x.example/, retries: 11 }", 17, "retries 11 is out of range")]
    [InlineData("  - { type: slack, urll: https://x.example/ }", 17, "unknown key 'urll'")]
    public void A_bad_receiver_is_reported_at_its_line(string entry, int line, string fragment)
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append("notify:", entry).ToString(), "cluster.yaml");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.Equal(("cluster.yaml", line), (error.File, error.Line));
    }

    [Theory]
    [InlineData("dashboard: { listen: 0.0.0.0:9587 }", "beyond this host, without a token")]
    [InlineData("dashboard: { listen: localhost }", "listen 'localhost' is not an address and port")]
    [InlineData("dashboard: { listen: 127.0.0.1 }", "listen '127.0.0.1' is not an address and port")]
    public void A_dashboard_reachable_from_elsewhere_needs_a_token_and_listen_needs_an_address_and_port(string entry, string fragment)
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append(entry).ToString(), "cluster.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains(fragment, error.Message);
        Assert.Equal(16, error.Line);
    }
}
