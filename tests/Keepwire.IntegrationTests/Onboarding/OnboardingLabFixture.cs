using System.Diagnostics;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Onboarding;

/// <summary>
/// A lab without its own daemons, and a hub that starts the way an operator's does: from the starter
/// configuration of <c>keepwire init</c> (no site yet), then a commented file of the operator's own with one
/// site (alpha) and two services, web and router, both served by alpha.
/// The tests add sites to it with the real <c>keepwire</c> binary: <c>site add</c> on the hub, <c>join</c>
/// or wg-quick on bravo and charlie. Every process the fixture or a test starts is stopped at the end by
/// its pid, and the lab removes the rest (namespaces, WireGuard interfaces of the lab's names).
/// </summary>
public sealed class OnboardingLabFixture : IAsyncLifetime
{
    /// <summary>A second VIP for the router service, in the lab's public /24 so the client finds it by ARP.</summary>
    public const string RouterVip = "203.0.113.81";

    private readonly List<Process> processes = [];
    private LabHandle? lab;

    public LabHandle Lab => lab ?? throw new InvalidOperationException("the lab is not up");

    public string Directory => Path.Combine(Lab.StateDirectory, "onboarding");

    public string HubConfig => Path.Combine(Directory, "keepwire.yaml");

    public string HubStateDirectory => Path.Combine(Directory, "hub-state");

    public string HubSocket => Path.Combine(Directory, "hub.sock");

    /// <summary>The hub's configuration as the test wrote it, before any <c>site add</c>.</summary>
    public string OriginalConfig { get; private set; } = "";

    public async Task InitializeAsync()
    {
        lab = await LabFixture.UpAsync();
        System.IO.Directory.CreateDirectory(Directory);

        // The hub starts as a new one does: from `keepwire init`'s starter configuration, with no site yet.
        var hub = Lab.Topology.Hub;
        var init = await KeepwireAsync(
            "hub", "init", "--yes", "--name", hub.Name, "--endpoint", hub.Endpoint, "--public-interface", hub.PublicInterface,
            "--interface", hub.WireGuardInterface, "--config", HubConfig, "--private-key", Lab.PrivateKeyFile(hub.Name));
        Assert.True(init.Succeeded, $"keepwire init failed: {init.StandardError}");
        var hubStartedAt = DateTimeOffset.UtcNow;
        Start("hub", "hub", ["hub", "--config", HubConfig, "--state-dir", HubStateDirectory, "--socket", HubSocket]);
        await LabClient.WaitForHubReconciledAsync(HubSocket, hubStartedAt, Path.Combine(Directory, "hub.log"));

        // Then the operator's own file, with comments everywhere, and one site.
        OriginalConfig = HubConfigText();
        await File.WriteAllTextAsync(HubConfig, OriginalConfig);
        var reload = await KeepwireAsync("hub", "reload", "--socket", HubSocket);
        Assert.True(reload.Succeeded, $"keepwire reload failed: {reload.StandardError}");
        Start("alpha", "alpha", ["site", "--config", HubConfig, "--node", "alpha", "--socket", Path.Combine(Directory, "alpha.sock")]);
        await WaitForAsync($"http://{Lab.Topology.Vips.IPv4}/", "site=alpha");
        await WaitForAsync($"http://{RouterVip}/", "site=alpha");
    }

    /// <summary>Starts keepwire in a host's namespace, detached, its output in <c>NAME.log</c>; stopped when the fixture ends.</summary>
    public Process Start(string host, string name, IReadOnlyList<string> arguments)
    {
        var keepwire = KeepwireExecutable.Command();
        var log = Path.Combine(Directory, name + ".log");
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$@\" >>\"$0\" 2>&1", log, "ip", "netns", "exec", Lab.Topology.NamespaceOf(host), .. keepwire, .. arguments])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start keepwire {string.Join(' ', arguments)}");
        lock (processes)
            processes.Add(process);
        return process;
    }

    public string LogOf(string name) => LabClient.ReadLogTail(Path.Combine(Directory, name + ".log"));

    /// <summary>Runs the keepwire binary in a host's namespace to completion.</summary>
    public Task<CommandResult> KeepwireAsync(string host, params string[] arguments) =>
        Lab.ExecAsync(host, [.. KeepwireExecutable.Command(), .. arguments]);

    /// <summary>Waits until a GET from the client answers with <paramref name="expected"/> in the body; returns the body.</summary>
    public async Task<string> WaitForAsync(string url, string expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var result = await Lab.CurlFromClientAsync(url, "--max-time", "2");
            last = result.Succeeded ? result.StandardOutput : result.StandardError;
            if (result.Succeeded && result.StandardOutput.Contains(expected, StringComparison.Ordinal))
                return result.StandardOutput;
            await Task.Delay(100);
        }
        Assert.Fail($"GET {url} never answered '{expected}' (last: {last.Trim()}). Hub log: {LogOf("hub")}");
        return last;
    }

    public async Task DisposeAsync()
    {
        List<Process> started;
        lock (processes)
            started = [.. processes];
        foreach (var process in started)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or the lab's teardown finishes it off.
            }
            process.Dispose();
        }
        if (lab is not null)
            await lab.DisposeAsync();
    }

    /// <summary>The configuration an operator might have written: comments in all the usual places.</summary>
    private string HubConfigText()
    {
        var topology = Lab.Topology;
        var hub = topology.Hub;
        var alpha = topology.Site("alpha");
        return $$"""
            # Keepwire lab hub for the onboarding tests.   This comment must survive every edit.
            hubs:
              # the only hub
              - name: {{hub.Name}}
                endpoint: {{hub.Endpoint}}    # sites dial this, and join on the same port over TCP
                interface: {{hub.WireGuardInterface}}
                public_interface: {{hub.PublicInterface}}
                public_key: "{{Lab.PublicKey(hub.Name)}}"
                private_key_file: {{Lab.PrivateKeyFile(hub.Name)}}
                tunnel: { ipv4: {{hub.Tunnel.IPv4}}/{{hub.TunnelPrefixLengthIPv4}}, ipv6: "{{hub.Tunnel.IPv6}}/{{hub.TunnelPrefixLengthIPv6}}" }

            sites:
              # alpha runs the agent
              - name: alpha
                public_key: "{{Lab.PublicKey("alpha")}}"
                priority: 100     # lowest: every joined site outranks it
                tunnel: { ipv4: {{alpha.Tunnel.IPv4}}, ipv6: "{{alpha.Tunnel.IPv6}}" }
                interface: {{alpha.WireGuardInterface}}
                private_key_file: {{Lab.PrivateKeyFile("alpha")}}
                persistent_keepalive: 5

            # The services. preempt_delay 0s: a better site takes over as soon as it is healthy.
            services:
              - name: web
                vips: [{{topology.Vips.IPv4}}]
                ports: [tcp/80]
                sites: [alpha]   # joined sites are appended here
                preempt_delay: 0s
                checks:
                  - { type: http, path: /healthz, expect_body: "site=" }
              - name: router
                vips: [{{RouterVip}}]
                ports: [tcp/80]
                sites:
                  - alpha
                  # the wg-quick site goes here
                preempt_delay: 0s
            """ + "\n";
    }
}
