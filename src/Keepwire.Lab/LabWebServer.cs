using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// One nginx per site, answering every request with <c>site=NAME client=ADDRESS</c> so a test
/// sees at once which site served and whether the client's address survived the trip (<c>/addresses</c> adds
/// the address the client reached, which a routed service keeps); <c>/big</c>
/// serves a large file for drain and throughput runs. Everything nginx writes (pid, logs, temp
/// files) stays in the site's directory in the lab state dir.
/// </summary>
internal sealed class LabWebServer(ICommandRunner runner, LabPaths paths, LabProcesses processes)
{
    private const string BigFileName = "big";

    public static string ProcessName(string site) => "nginx-" + site;

    public string AccessLog(string site) => Path.Combine(paths.WebServerDirectory(site), "access.log");

    public string ErrorLog(string site) => Path.Combine(paths.WebServerDirectory(site), "error.log");

    private string ConfigFile(string site) => Path.Combine(paths.WebServerDirectory(site), "nginx.conf");

    private string DocumentRoot(string site) => Path.Combine(paths.WebServerDirectory(site), "www");

    /// <summary>Writes the config of a site's (or a LAN server's) nginx, listening on 80 and <paramref name="extraPorts"/>, and the big file (sparse: it costs no disk).</summary>
    public void Prepare(string site, long bigFileBytes, IReadOnlyList<int> extraPorts)
    {
        var directory = paths.WebServerDirectory(site);
        foreach (var sub in new[] { directory, DocumentRoot(site), Path.Combine(directory, "tmp") })
            LabFileModes.CreateWorldReadableDirectory(sub);
        var bigFile = Path.Combine(DocumentRoot(site), BigFileName);
        using (var big = new FileStream(bigFile, FileMode.Create, FileAccess.Write))
            big.SetLength(bigFileBytes);
        File.SetUnixFileMode(bigFile, LabFileModes.WorldReadableFile);
        File.WriteAllText(ConfigFile(site), RenderConfig(site, directory, [80, .. extraPorts]));
    }

    public Task StartAsync(LabSite site, CancellationToken cancellationToken) => StartAsync(site.Name, site.Namespace, cancellationToken);

    /// <summary>Starts nginx of a site or LAN server in its namespace; nginx daemonizes itself and the pid comes from its pid file.</summary>
    public async Task StartAsync(string host, string namespaceName, CancellationToken cancellationToken)
    {
        var name = ProcessName(host);
        if (processes.ReadPid(name) is { } running && LabProcesses.IsAlive(running))
            throw new LabException($"nginx of {host} is already running (pid {running}).");
        processes.ForgetPid(name);

        // nginx writes its own pid file, straight into the lab's pids directory.
        await runner.RunCheckedAsync(
            "ip",
            ["netns", "exec", namespaceName, "nginx", "-c", ConfigFile(host), "-p", paths.WebServerDirectory(host) + "/", "-e", ErrorLog(host)],
            cancellationToken: cancellationToken);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (processes.ReadPid(name) is not { } pid || !LabProcesses.IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
                throw new LabException($"nginx of {host} did not come up. {LogTail.Describe(ErrorLog(host))}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops nginx fast (TERM): open connections are cut, as when a site's web server dies.</summary>
    public Task StopAsync(string site, CancellationToken cancellationToken) =>
        processes.StopAsync(ProcessName(site), "TERM", TimeSpan.FromSeconds(10), cancellationToken);

    private string RenderConfig(string site, string directory, IReadOnlyList<int> ports) => $$"""
        # Written by `keepwire lab` for site {{site}}.
        daemon on;
        worker_processes 1;
        pid {{paths.PidFile(ProcessName(site))}};
        error_log {{ErrorLog(site)}} notice;

        events {
            worker_connections 1024;
        }

        http {
            log_format lab '$remote_addr [$time_local] "$request" $status $body_bytes_sent';
            access_log {{AccessLog(site)}} lab;
            client_body_temp_path {{directory}}/tmp/body;
            proxy_temp_path {{directory}}/tmp/proxy;
            fastcgi_temp_path {{directory}}/tmp/fastcgi;
            uwsgi_temp_path {{directory}}/tmp/uwsgi;
            scgi_temp_path {{directory}}/tmp/scgi;
            sendfile on;
            keepalive_timeout 30s;

            server {
                {{string.Join("\n        ", ports.Select(port => $"listen {port};\n        listen [::]:{port} ipv6only=on;"))}}
                default_type text/plain;

                location = /{{BigFileName}} {
                    root {{DocumentRoot(site)}};
                    default_type application/octet-stream;
                    limit_rate 0;
                }

                # Both ends of the connection as the site sees them: a routed service keeps the public address too.
                location = /addresses {
                    return 200 "site={{site}} client=$remote_addr server=$server_addr\n";
                }

                location / {
                    return 200 "site={{site}} client=$remote_addr\n";
                }
            }
        }

        """;
}
