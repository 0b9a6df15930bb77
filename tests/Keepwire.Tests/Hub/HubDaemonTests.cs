using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Systemd;
using Keepwire.Control;
using Keepwire.Engine;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Tests.Adapters;
using Keepwire.Tests.Configuration;
using Keepwire.Tests.Fakes;
using Keepwire.Tests.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Hub;

/// <summary>
/// The hub daemon as a host, in process on fake adapters: the composition the CLI builds with real ones. Its
/// loop runs on the system clock here (its probes, its waits), so these tests wait for outcomes with generous
/// limits and never measure time; the engine's own behaviour in time is tested on a fake clock elsewhere.
/// </summary>
public sealed class HubDaemonTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchdogTimeout = TimeSpan.FromSeconds(2);
    private const string WebKey = "203.0.113.80 . tcp . 80";

    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-hub-").FullName;
    private readonly FakeNftables _nft = new();
    private readonly FakeConntrack _conntrack = new();
    private readonly FakeWireGuard _wireGuard = new();
    private readonly FakeSites _sites = new(TimeProvider.System);
    private readonly CancellationTokenSource _stopping = new();
    private ChannelWriter<RefusedFlow>? _refusals;
    private NotifySocket _systemd = null!;
    private readonly int _metricsPort = FreeTcpPort();
    private ClusterConfig _config = null!;
    private HubDaemon _daemon = null!;
    private Task _running = Task.CompletedTask;

    private string ConfigPath => Path.Combine(_directory, "keepwire.yaml");

    private string SocketPath => Path.Combine(_directory, "hub.sock");

    public async Task InitializeAsync()
    {
        _systemd = new NotifySocket(Path.Combine(_directory, "notify.sock"));
        await File.WriteAllTextAsync(ConfigPath, ConfigText.Base.Replace(15, "    sites: [alpha, bravo]").Replace(8, $"    public_key: {ConfigText.AlphaKey}", "    priority: 200").InsertAfter(0, $"metrics: {{ listen: 127.0.0.1:{_metricsPort} }}").ToString());
        _config = Keepwire.Configuration.ConfigLoader.LoadValid(ConfigPath);
        foreach (var site in _config.Sites)
            _wireGuard.Handshake(site.PublicKey, DateTimeOffset.UtcNow);
        var adapters = new HubAdapters(
            new FakeCommandRunner((program, _, _) => throw new InvalidOperationException($"a single hub on fake adapters runs no program, but ran {program}")),
            _nft,
            _conntrack,
            _wireGuard,
            new FakeRouting(),
            new FakeSysctl(),
            _sites.Check,
            new FakeProcessTable())
        {
            Systemd = new SystemdNotifier(_systemd.Path, WatchdogTimeout),
            ListenForRefusals = writer =>
            {
                _refusals = writer;
                return new NothingToStop();
            },
        };
        var options = new HubDaemonOptions(ConfigPath, "hub", Path.Combine(_directory, "state"), SocketPath, TimeSpan.FromSeconds(1));
        _daemon = HubDaemon.Create(options, adapters, NullLoggerFactory.Instance, TimeProvider.System);
        _running = _daemon.RunAsync(_stopping.Token);
    }

    [Fact]
    public async Task A_site_whose_probes_fail_loses_its_service_to_the_next_and_its_flows_go_with_it()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, IPAddress.Parse("203.0.113.80"), 80), Address("alpha"));

        _sites.Down("alpha");

        await Until(() => Web() == $"{Address("bravo")} . 80" && _conntrack.Flows.Count == 0);
        Assert.Equal(new FlowSelector(IPAddress.Parse("203.0.113.80"), TransportProtocol.Tcp, Address("alpha")), Assert.Single(_conntrack.Deletes));
        var status = await Status();
        var web = status.GetProperty("services")[0];
        Assert.Equal("bravo", web.GetProperty("serving_site").GetString());
        Assert.Contains("alpha: tcp check failed", web.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_refused_client_has_the_sites_probe_run_at_once_and_its_failure_moves_the_service()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        // A probe an hour while the sites pass: only a probe asked for at once can take alpha out within the test.
        var good = await File.ReadAllTextAsync(ConfigPath);
        await File.WriteAllTextAsync(ConfigPath, good.TrimEnd() + "\n    checks: [{ type: tcp, port: 80, interval: 1h, rise: 1 }]\n");
        var reloaded = await Send("reload");
        Assert.True(reloaded.Ok, reloaded.Error);
        await Until(async () => (await Status()).GetProperty("sites").EnumerateArray().All(site => site.GetProperty("health").GetString() == "healthy"));
        var probes = _sites.Probes;

        _sites.Down("alpha");
        Assert.NotNull(_refusals);
        await _refusals.WriteAsync(new RefusedFlow(Address("alpha"), TransportProtocol.Tcp, 80, DateTimeOffset.UtcNow));

        await Until(() => Web() == $"{Address("bravo")} . 80");
        var web = (await Status()).GetProperty("services")[0];
        Assert.Contains("confirming a client refused on tcp/80", web.GetProperty("reason").GetString());
        Assert.InRange(_sites.Probes - probes, 1, 10);
    }

    [Fact]
    public async Task A_pin_moves_the_service_shows_in_status_survives_in_the_state_and_unpin_hands_it_back()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");

        var pinned = await Send("failover", ("service", "web"), ("site", "bravo"));
        Assert.True(pinned.Ok, pinned.Error);
        Assert.Equal("web: alpha → bravo (pinned by operator; existing connections finish where they are)", Message(pinned));
        Assert.Equal($"{Address("bravo")} . 80", Web());
        Assert.Equal("bravo", (await Status()).GetProperty("services")[0].GetProperty("pinned_site").GetString());
        Assert.Contains("\"web\": \"bravo\"", await File.ReadAllTextAsync(Path.Combine(_directory, "state", "intent.json")));

        var unpinned = await Send("unpin", ("service", "web"));
        Assert.True(unpinned.Ok, unpinned.Error);
        // Whether alpha takes web back at once or after the rest of its preempt delay depends on how long this took.
        Assert.StartsWith("web: unpinned, its policy decides again; ", Message(unpinned));
        Assert.False((await Status()).GetProperty("services")[0].TryGetProperty("pinned_site", out _));
        Assert.DoesNotContain("web", await File.ReadAllTextAsync(Path.Combine(_directory, "state", "intent.json")));

        // With preempt, alpha (priority 200) takes web back after the preempt delay.
        await Until(() => Web() == $"{Address("alpha")} . 80");
    }

    [Fact]
    public async Task Bad_commands_are_answered_with_what_to_do_and_change_nothing()
    {
        await Until(() => Web() is not null);

        Assert.Equal("unknown service 'ftp' (known: web)", (await Send("unpin", ("service", "ftp"))).Error);
        Assert.Equal("site 'charlie' may not serve web (its sites: alpha, bravo)", (await Send("failover", ("service", "web"), ("site", "charlie"))).Error);
        Assert.Equal("unpin needs a service", (await Send("unpin")).Error);
        Assert.StartsWith("unknown command 'flip'", (await Send("flip")).Error);
    }

    [Fact]
    public async Task A_rejected_reload_leaves_the_hub_as_it_was_and_says_why_in_status()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        var good = await File.ReadAllTextAsync(ConfigPath);
        await File.WriteAllTextAsync(ConfigPath, good.Replace("ports: [tcp/80]", "ports: [tcp/99999]"));

        var rejected = await Send("reload");

        Assert.False(rejected.Ok);
        Assert.StartsWith("reload rejected, still running the previous config:", rejected.Error);
        var status = await Status();
        Assert.False(status.GetProperty("last_reload").GetProperty("succeeded").GetBoolean());
        Assert.Contains("99999", status.GetProperty("last_reload").GetProperty("message").GetString());
        Assert.Equal($"{Address("alpha")} . 80", Web());

        await File.WriteAllTextAsync(ConfigPath, good.Replace("ports: [tcp/80]", "ports: [tcp/80, tcp/443]"));
        var reloaded = await Send("reload");
        Assert.True(reloaded.Ok, reloaded.Error);
        Assert.Equal($"{Address("alpha")} . 443", _nft.Lookup("inet", "keepwire", "fwd4", "203.0.113.80 . tcp . 443"));
        Assert.True((await Status()).GetProperty("last_reload").GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task A_reload_whose_old_checks_fail_to_close_is_answered_and_the_new_checks_decide()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        await File.WriteAllTextAsync(ConfigPath, (await File.ReadAllTextAsync(ConfigPath)).Replace("ports: [tcp/80]", "ports: [tcp/80, tcp/443]"));
        _sites.DisposeFailure = "the check's socket would not close";

        // Before the fix the reload was never answered, and every later reload waited behind it.
        var reloaded = await Send("reload").WaitAsync(Patience);
        _sites.DisposeFailure = null;

        Assert.True(reloaded.Ok, reloaded.Error);
        Assert.Equal($"{Address("alpha")} . 443", _nft.Lookup("inet", "keepwire", "fwd4", "203.0.113.80 . tcp . 443"));
        _sites.Down("alpha");
        await Until(() => Web() == $"{Address("bravo")} . 80");
        Assert.True((await Send("reload").WaitAsync(Patience)).Ok);
    }

    [Fact]
    public async Task Services_that_check_the_same_thing_share_one_probe_per_site_and_all_follow_its_results()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        var good = await File.ReadAllTextAsync(ConfigPath);
        await File.WriteAllTextAsync(ConfigPath, good.TrimEnd() + "\n  - name: mail\n    vips: [203.0.113.81]\n    ports: [tcp/80]\n    sites: [alpha, bravo]\n");

        var reloaded = await Send("reload");

        Assert.True(reloaded.Ok, reloaded.Error);
        // web and mail both check tcp/80: one probe stream per site, not one per service and site.
        Assert.EndsWith(": 2 services, 2 sites, 2 probe targets", (await Status()).GetProperty("last_reload").GetProperty("message").GetString());
        await Until(() => Mail() == $"{Address("alpha")} . 80");

        _sites.Down("alpha");

        await Until(() => Web() == $"{Address("bravo")} . 80" && Mail() == $"{Address("bravo")} . 80");
    }

    [Fact]
    public async Task A_state_directory_that_cannot_be_written_does_not_stop_the_hub_and_shows_in_status()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        var state = Path.Combine(_directory, "state");
        Directory.Delete(state, recursive: true);
        await File.WriteAllTextAsync(state, "not a directory");

        var pinned = await Send("failover", ("service", "web"), ("site", "bravo"));

        Assert.True(pinned.Ok, pinned.Error);
        Assert.Equal($"{Address("bravo")} . 80", Web());
        Assert.Contains("cannot save the state", (await Status()).GetProperty("state_error").GetString());

        File.Delete(state);
        await Until(async () => !(await Status()).TryGetProperty("state_error", out _));
        Assert.Contains("bravo", await File.ReadAllTextAsync(Path.Combine(state, "intent.json")));
    }

    [Fact]
    public async Task The_hub_tells_systemd_it_is_ready_once_its_table_is_in_and_pings_the_watchdog_from_its_loop_until_the_loop_hangs()
    {
        // Ready once the first table is in, which may be before web's first choice (the startup grace).
        var ready = await _systemd.UntilAsync(m => m.StartsWith("READY=1", StringComparison.Ordinal), Patience);
        Assert.Matches("^READY=1\nSTATUS=[01]/1 services served \\(web: (alpha|none)\\)$", ready);
        if (!ready!.EndsWith("STATUS=1/1 services served (web: alpha)", StringComparison.Ordinal))
            Assert.NotNull(await _systemd.UntilAsync(m => m == "STATUS=1/1 services served (web: alpha)", Patience));
        Assert.Equal($"{Address("alpha")} . 80", Web());
        Assert.NotNull(await _systemd.UntilAsync(m => m == "WATCHDOG=1", Patience));

        // The next forwarding-table transaction (the pin's) never returns: the loop is stuck inside its pass.
        _nft.HangApplies();
        var pinning = Send("failover", ("service", "web"), ("site", "bravo"));
        await _nft.Hanging.Task.WaitAsync(Patience);
        _systemd.Drain();

        // Three watchdog timeouts without a ping: systemd would have restarted the daemon. Nothing else pings.
        Assert.Null(await _systemd.UntilAsync(m => m == "WATCHDOG=1", WatchdogTimeout * 3));

        _nft.Release();
        Assert.NotNull(await _systemd.UntilAsync(m => m == "WATCHDOG=1", Patience));
        Assert.True((await pinning).Ok);
    }

    [Fact]
    public async Task Status_shows_the_loop_lag_and_the_evidence_request_answers_with_the_hubs_notes()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");

        var loop = (await Status()).GetProperty("loop");
        Assert.True(loop.GetProperty("max_lag_milliseconds").GetDouble() >= 0);
        // Not zero on a machine so busy that a probe timed out while the hub stalled: then it was rightly not counted.
        Assert.True(loop.GetProperty("inconclusive_probes").GetInt64() >= 0);
        var evidence = await Send("evidence");
        Assert.True(evidence.Ok, evidence.Error);
        Assert.Equal(JsonValueKind.Array, evidence.Result!.Value.ValueKind);
        Assert.Contains("evidence", (await Send("flip")).Error);
    }

    [Fact]
    public async Task Metrics_show_the_serving_site_the_failover_with_its_reason_and_timing_and_the_data_path_work()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        _conntrack.Add(new TrackedFlow(TransportProtocol.Tcp, IPAddress.Parse("203.0.113.80"), 80), Address("alpha"));

        _sites.Down("alpha");
        await Until(() => Web() == $"{Address("bravo")} . 80" && _conntrack.Flows.Count == 0);

        var text = "";
        await Until(async () => (text = await Scrape()).Contains("keepwire_service_serving{service=\"web\",site=\"bravo\"} 1"));
        Assert.Contains("keepwire_service_serving{service=\"web\",site=\"alpha\"} 0", text);
        Assert.Contains("keepwire_failovers_total{service=\"web\",reason=\"failover\"} 1", text);
        Assert.Contains("keepwire_failover_detection_to_switch_seconds_count 1", text);
        Assert.Contains("keepwire_site_healthy{service=\"web\",site=\"alpha\"} 0", text);
        Assert.Contains("keepwire_site_healthy{service=\"web\",site=\"bravo\"} 1", text);
        Assert.Contains("keepwire_check_healthy{service=\"web\",site=\"alpha\",check=\"tcp\"} 0", text);
        Assert.Matches("keepwire_check_duration_seconds_count\\{site=\"alpha\",type=\"tcp\"\\} [1-9]", text);
        Assert.Matches("keepwire_nft_apply_duration_seconds_count [1-9]", text);
        Assert.Contains("keepwire_conntrack_entries_flushed_total 1", text);
        Assert.Contains("keepwire_reconcile_errors_total{stage=\"table\"} 0", text);
        Assert.Contains("keepwire_hub_holds_vips 1", text);
        Assert.Matches("keepwire_hub_loop_lag_seconds_count [1-9]", text);
        Assert.Matches("keepwire_probes_inconclusive_total [0-9]", text);
        Assert.Matches("keepwire_hub_suspected_total [0-9]", text);
        Assert.Matches("keepwire_build_info\\{version=\"[^\"]+\",runtime=\"[^\"]+\",role=\"hub\"\\} 1", text);
        Assert.Contains($"wireguard_latest_handshake_seconds{{interface=\"{_config.Hubs[0].Interface}\",public_key=\"{ConfigText.AlphaKey}\",site=\"alpha\"}}", text);
        Assert.Contains($"wireguard_sent_bytes_total{{interface=\"{_config.Hubs[0].Interface}\",public_key=\"{ConfigText.BravoKey}\",site=\"bravo\"}}", text);
    }

    [Fact]
    public async Task Every_query_of_the_Grafana_dashboard_reads_metrics_the_hub_exports()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        var text = "";
        await Until(async () => (text = await Scrape()).Contains("wireguard_latest_handshake_seconds{"));

        var problems = DashboardQueries.Unexported(text);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task A_failed_transaction_counts_as_a_reconcile_error_of_the_table()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");

        _nft.FailNextApply = "Error: Could not process rule: No such file or directory";
        await Send("failover", ("service", "web"), ("site", "bravo"));

        await Until(async () => (await Scrape()).Contains("keepwire_reconcile_errors_total{stage=\"table\"} 1"));
    }

    [Fact]
    public async Task A_reload_that_moves_metrics_listen_reopens_the_endpoint_and_promtool_accepts_its_scrape()
    {
        await Until(() => Web() == $"{Address("alpha")} . 80");
        var port = FreeTcpPort();
        var config = await File.ReadAllTextAsync(ConfigPath);
        await File.WriteAllTextAsync(ConfigPath, config.Replace($"127.0.0.1:{_metricsPort}", $"127.0.0.1:{port}"));

        var reloaded = await Send("reload");

        Assert.True(reloaded.Ok, reloaded.Error);
        // A request that takes too long on a busy machine is asked again, within Until's patience.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        string? body = null;
        await Until(async () =>
        {
            try
            {
                body = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
                return body.Contains("keepwire_service_serving{service=\"web\",site=\"alpha\"} 1");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        });
        var (exitCode, output) = await Promtool.CheckMetricsAsync(body!);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- scrape:\n{body}");
    }

    public async Task DisposeAsync()
    {
        _nft.Release();
        await _stopping.CancelAsync();
        await _running;
        await _daemon.DisposeAsync();
        _systemd.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _stopping.Dispose();

    private sealed class NothingToStop : IDisposable
    {
        public void Dispose()
        {
        }
    }

    private async Task<string> Scrape()
    {
        using var text = new MemoryStream();
        await _daemon.Metrics!.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static int FreeTcpPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private IPAddress Address(string site) => _config.FindSite(site)!.Tunnel.IPv4!;

    private string? Web() => _nft.Lookup("inet", "keepwire", "fwd4", WebKey);

    private string? Mail() => _nft.Lookup("inet", "keepwire", "fwd4", "203.0.113.81 . tcp . 80");

    private async Task<ControlResponse> Send(string command, params (string Name, string Value)[] arguments) =>
        await new ControlClient(SocketPath).SendAsync(new ControlRequest(command, arguments.ToDictionary(a => a.Name, a => a.Value)));

    private async Task<JsonElement> Status()
    {
        var response = await Send("status");
        Assert.True(response.Ok, response.Error);
        return response.Result!.Value;
    }

    private static string? Message(ControlResponse response) => response.Result?.GetProperty("message").GetString();

    private static Task Until(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string what = "") => Eventually.True(condition, Patience, what);

    private static Task Until(Func<Task<bool>> condition, [CallerArgumentExpression(nameof(condition))] string what = "") => Eventually.True(condition, Patience, what);
}
