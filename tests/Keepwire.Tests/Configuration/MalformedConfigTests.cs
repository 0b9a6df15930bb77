using Keepwire.Configuration;
using Keepwire.Tests.Fuzzing;

namespace Keepwire.Tests.Configuration;

/// <summary>
/// One broken thing per case: the loader must report it at the exact node, with a message that says what
/// is wrong (the fragment is matched against the full "file:line:col: message (hint: …)" text).
/// </summary>
public sealed partial class MalformedConfigTests
{
    private const string FileName = "cluster.yaml";
    private const string SiteTunnel = "    tunnel: { ipv4: ";

    /// <summary><see cref="ConfigText.AlphaKey"/> with a bit set in the last character that no byte uses: the same 32 bytes.</summary>
    private const string NonCanonicalAlphaKey = "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxh=";

    public static TheoryData<string> CaseNames => [.. Cases.Keys, .. PairCases.Keys];

    private static readonly Dictionary<string, (ConfigText Text, int Line, int Column, string Fragment)> Cases = new()
    {
        ["yaml syntax error"] = (ConfigText.Base.Replace(13, "    vips: [203.0.113.80, \"2001:db8::80]"), 13, 26, "YAML syntax error"),
        ["escape naming half a surrogate pair"] = (ConfigText.Base.Replace(9, "  - name: \"\\udc00\\ude42\""), 9, 9, "a quoted value holds an escape that is no character"),
        ["unclosed flow list"] = (ConfigText.Base.Replace(13, "    vips: [203.0.113.80"), 13, 11, "look for an unclosed '['"),
        ["repeated key"] = (ConfigText.Base.InsertAfter(7, "    name: alpha2"), 8, 5, "key 'name' appears twice"),
        ["unknown key with a close known key"] = (ConfigText.Base.InsertAfter(10, "    priorty: 5"), 11, 5, "unknown key 'priorty' in site (hint: did you mean 'priority'?)"),
        ["unknown top-level key"] = (ConfigText.Base.Append("servics: []"), 16, 1, "did you mean 'services'?"),
        ["unknown key far from any known key"] = (ConfigText.Base.InsertAfter(3, "    colour: blue"), 4, 5, "known keys are name, endpoint"),
        ["missing hub public_key"] = (ConfigText.Base.Replace(4), 2, 5, "hub is missing required key 'public_key'"),
        ["missing hub endpoint"] = (ConfigText.Base.Replace(3, "    interface: kw0"), 2, 5, "missing required key 'endpoint'"),
        ["missing hubs"] = (ConfigText.Base.Replace(1).Replace(1).Replace(1).Replace(1).Replace(1), 1, 1, "missing required key 'hubs'"),
        ["key without value"] = (ConfigText.Base.Replace(8, "    public_key:"), 8, 5, "'public_key' of site has no value"),
        ["priority is not a number"] = (ConfigText.Base.InsertAfter(10, "    priority: high"), 11, 15, "priority must be a whole number"),
        ["priority out of range"] = (ConfigText.Base.InsertAfter(10, "    priority: 1001"), 11, 15, "priority 1001 is out of range (hint: use a value from 1 to 1000)"),
        ["priority zero"] = (ConfigText.Base.InsertAfter(8, "    priority: 0"), 9, 15, "priority 0 is out of range"),
        ["keepalive out of range"] = (ConfigText.Base.InsertAfter(8, "    persistent_keepalive: 70000"), 9, 27, "persistent_keepalive 70000 is out of range"),
        ["list where a mapping belongs"] = (ConfigText.Base.InsertAfter(8, "    tunnel: [10.77.0.5]"), 9, 13, "site tunnel must be a mapping"),
        ["scalar where a list belongs"] = (ConfigText.Base.Replace(15, "    sites: alpha"), 15, 12, "sites must be a list"),
        ["invalid name"] = (ConfigText.Base.Replace(9, "  - name: Bravo_1"), 9, 11, "name 'Bravo_1' is not valid"),
        ["duplicate site name"] = (ConfigText.Base.Replace(9, "  - name: alpha"), 9, 11, "name 'alpha' of this site is already used by the site at line 7"),
        ["site named like the hub"] = (ConfigText.Base.Replace(9, "  - name: hub"), 9, 11, "already used by the hub at line 2"),
        ["duplicate service name"] = (ConfigText.Base.Append("  - name: web", "    vips: [203.0.113.81]", "    ports: [tcp/80]", "    sites: [alpha]"), 16, 11, "name 'web' of this service is already used"),
        ["duplicate public key"] = (ConfigText.Base.Replace(10, $"    public_key: {ConfigText.AlphaKey}"), 10, 17, "public_key '" + ConfigText.AlphaKey + "' of this site is already used by the site at line 8"),
        ["key is not base64"] = (ConfigText.Base.Replace(8, "    public_key: not-a-key"), 8, 17, "public_key is not a WireGuard key"),
        ["key in non-canonical base64"] = (ConfigText.Base.Replace(8, "    public_key: " + NonCanonicalAlphaKey), 8, 17, $"public_key is not in canonical base64: wg only accepts {ConfigText.AlphaKey} (hint: write it as {ConfigText.AlphaKey}"),
        ["the same key spelled two ways"] = (ConfigText.Base.Replace(10, "    public_key: " + NonCanonicalAlphaKey), 10, 17, "not in canonical base64"),
        ["key of all zeros"] = (ConfigText.Base.Replace(8, "    public_key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), 8, 17, "public_key is a low-order point of Curve25519"),
        ["key of a point of order 8"] = (ConfigText.Base.Replace(10, "    public_key: 4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA="), 10, 17, "public_key is a low-order point of Curve25519"),
        ["http host with a space"] = (ConfigText.Base.Append("    checks: [{ type: http, host: \"www example.net\" }]"), 16, 34, "host 'www example.net' is not a valid HTTP Host: it contains a space"),
        ["http host with a line break"] = (ConfigText.Base.Append("    checks: [{ type: http, host: \"www.example.net\\r\\nX-Evil: 1\" }]"), 16, 34, "is not a valid HTTP Host: it contains a line break"),
        ["http host with a bad port"] = (ConfigText.Base.Append("    checks: [{ type: http, host: \"www.example.net:http\" }]"), 16, 34, "host 'www.example.net:http' has an invalid port 'http'"),
        ["http host as a bare IPv6 address"] = (ConfigText.Base.Append("    checks: [{ type: http, host: \"2001:db8::1\" }]"), 16, 34, "it contains ':'"),
        ["http path with a space"] = (ConfigText.Base.Append("    checks: [{ type: http, path: \"/health z\" }]"), 16, 34, "path '/health z' contains a space, which cannot go into a request line as it is (hint: percent-encode it, e.g. a space as %20)"),
        ["http path with a fragment"] = (ConfigText.Base.Append("    checks: [{ type: http, path: \"/healthz#top\" }]"), 16, 34, "a fragment is never sent to the server"),
        ["http path with a dot segment"] = (ConfigText.Base.Append("    checks: [{ type: http, path: \"/app/%2E%2e/admin\" }]"), 16, 34, "has a '.' or '..' segment, which the HTTP client would resolve away"),
        ["http host label starting with a dash"] = (ConfigText.Base.Append("    checks: [{ type: http, host: www.-example.net }]"), 16, 34, "host 'www.-example.net' is not a valid DNS name"),
        ["http path with a stray percent"] = (ConfigText.Base.Append("    checks: [{ type: http, path: \"/100%\" }]"), 16, 34, "has a '%' that does not start a %XX escape"),
        ["IPv6 VIP without an IPv6 tunnel"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: 10.77.0.1/24 }").Replace(13, "    vips: [203.0.113.80, \"2001:db8::80\"]"), 13, 26, "VIP 2001:db8::80 of service 'web' is IPv6, but no site of it has an IPv6 tunnel address (the hub's tunnel has no ipv6 network), so it would never be forwarded (hint: add ipv6 to the tunnel of hub 'hub', or remove this VIP)"),
        ["IPv4 VIP without an IPv4 tunnel"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv6: fd77::1/64 }"), 13, 12, "VIP 203.0.113.80 of service 'web' is IPv4, but no site of it has an IPv4 tunnel address"),
        ["interface named all"] = (ConfigText.Base.InsertAfter(8, "    interface: all"), 9, 16, "interface 'all' is reserved"),
        ["interface named default"] = (ConfigText.Base.InsertAfter(3, "    interface: default"), 4, 16, "interface 'default' is reserved"),
        ["interface that reads as an option"] = (ConfigText.Base.InsertAfter(8, "    interface: -x"), 9, 16, "interface '-x' starts with '-', which ip and wg would read as an option"),
        ["public interface that reads as an option"] = (ConfigText.Base.InsertAfter(3, "    public_interface: -eth0"), 4, 23, "public_interface '-eth0' starts with '-'"),
        ["WireGuard interface on loopback"] = (ConfigText.Base.InsertAfter(3, "    interface: lo"), 4, 16, "interface 'lo' is the loopback interface"),
        ["key of 33 bytes"] = (ConfigText.Base.Replace(8, "    public_key: " + new string('A', 44)), 8, 17, "expected 44 characters of base64 encoding 32 bytes"),
        ["endpoint without port"] = (ConfigText.Base.Replace(3, "    endpoint: hub.example.net"), 3, 15, "endpoint 'hub.example.net' has no port"),
        ["endpoint port out of range"] = (ConfigText.Base.Replace(3, "    endpoint: hub.example.net:70000"), 3, 15, "invalid port '70000'"),
        ["endpoint bare IPv6"] = (ConfigText.Base.Replace(3, "    endpoint: 2001:db8::1:51820"), 3, 15, "put IPv6 addresses in brackets"),
        ["interface name too long"] = (ConfigText.Base.InsertAfter(3, "    interface: keepwire-tunnel0"), 4, 16, "longer than 15 characters"),
        ["interface name with a slash"] = (ConfigText.Base.InsertAfter(8, "    interface: kw/0"), 9, 16, "interface 'kw/0' is not a valid interface name"),
        ["hub tunnel of the wrong family"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: fd77::1/64 }"), 5, 21, "tunnel ipv4 'fd77::1' is an IPv6 address (hint: put it under 'ipv6')"),
        ["hub tunnel without prefix"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: 10.77.0.1 }"), 5, 21, "'10.77.0.1' has no prefix length"),
        ["hub tunnel is the network address"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: 10.77.0.0/24 }"), 5, 21, "10.77.0.0 is the network address of 10.77.0.0/24"),
        ["hub tunnel without any family"] = (ConfigText.Base.Replace(5, "    tunnel: {}"), 5, 13, "hub tunnel needs at least one of ipv4, ipv6"),
        ["site tunnel outside the hub network"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.78.0.5 }"), 9, 21, "10.78.0.5 of site 'alpha' is outside the hub's tunnel network 10.77.0.0/24"),
        ["site tunnel with a prefix"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.77.0.5/24 }"), 9, 21, "has a prefix length"),
        ["site tunnel of the wrong family"] = (ConfigText.Base.InsertAfter(8, "    tunnel: { ipv6: 10.77.0.5 }"), 9, 21, "tunnel ipv6 '10.77.0.5' is an IPv4 address"),
        ["site tunnel family the hub lacks"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: 10.77.0.1/24 }").InsertAfter(8, "    tunnel: { ipv6: fd77::5 }"), 9, 21, "the hub's tunnel has no ipv6 network"),
        ["site tunnel equals the hub's"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.77.0.1 }"), 9, 21, "10.77.0.1 of site 'alpha' is already used by hub 'hub'"),
        ["two sites with one tunnel address"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.77.0.5 }").InsertAfter(11, SiteTunnel + "10.77.0.5 }"), 12, 21, "10.77.0.5 of site 'bravo' is already used by site 'alpha'"),
        ["site tunnel is the broadcast address"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.77.0.255 }"), 9, 21, "10.77.0.255 is the broadcast address of 10.77.0.0/24"),
        ["site tunnel is the network address"] = (ConfigText.Base.InsertAfter(8, SiteTunnel + "10.77.0.0 }"), 9, 21, "10.77.0.0 is the network address"),
        ["tunnel pool exhausted"] = (ConfigText.Base.Replace(5, "    tunnel: { ipv4: 10.77.0.1/29 }").InsertAfter(8, SiteTunnel + "10.77.0.2 }"), 10, 5, "no free tunnel ipv4 address left in 10.77.0.0/29 for site 'bravo'"),
        ["unknown mode"] = (ConfigText.Base.InsertAfter(8, "    mode: active"), 9, 11, "unknown mode 'active'"),
        ["allow_forward_from with host bits"] = (ConfigText.Base.InsertAfter(5, "    allow_forward_from: [198.51.100.7/24]"), 6, 26, "did you mean '198.51.100.0/24'?"),
        ["vip is not an address"] = (ConfigText.Base.Replace(13, "    vips: [web.example.net]"), 13, 12, "'web.example.net' is not an IP address"),
        ["vip listed twice"] = (ConfigText.Base.Replace(13, "    vips: [203.0.113.80, 203.0.113.80]"), 13, 26, "VIP 203.0.113.80 is listed twice in service 'web'"),
        ["vip equals the hub tunnel address"] = (ConfigText.Base.Replace(13, "    vips: [10.77.0.1]"), 13, 12, "VIP 10.77.0.1 of service 'web' is the tunnel address of hub 'hub'"),
        ["vip equals an allocated site address"] = (ConfigText.Base.Replace(13, "    vips: [\"fd77::11\"]"), 13, 12, "is the tunnel address of site 'bravo'"),
        ["vip inside the tunnel network"] = (ConfigText.Base.Replace(13, "    vips: [10.77.0.99]"), 13, 12, "lies inside the tunnel network 10.77.0.0/24"),
        ["empty vips"] = (ConfigText.Base.Replace(13, "    vips: []"), 13, 11, "'vips' is empty"),
        ["port without protocol"] = (ConfigText.Base.Replace(14, "    ports: [80]"), 14, 13, "port '80' has no protocol"),
        ["port with unknown protocol"] = (ConfigText.Base.Replace(14, "    ports: [sctp/80]"), 14, 13, "unknown protocol 'sctp'"),
        ["port zero"] = (ConfigText.Base.Replace(14, "    ports: [tcp/0]"), 14, 13, "port 0 in 'tcp/0' is out of range"),
        ["port above 65535"] = (ConfigText.Base.Replace(14, "    ports: [udp/65536]"), 14, 13, "port 65536 in 'udp/65536' is out of range"),
        ["port range reversed"] = (ConfigText.Base.Replace(14, "    ports: [udp/5010-5000]"), 14, 13, "port range 'udp/5010-5000' is reversed (hint: write udp/5000-5010)"),
        ["backend mapping on a range"] = (ConfigText.Base.Replace(14, "    ports: [udp/5000-5010:80]"), 14, 13, "cannot have a backend port"),
        ["port claimed twice in a service"] = (ConfigText.Base.Replace(14, "    ports: [tcp/80, tcp/80]"), 14, 21, "tcp/80 on VIP 203.0.113.80 overlaps ports tcp/80 already claimed by service 'web'"),
        ["overlapping port ranges"] = (ConfigText.Base.Replace(14, "    ports: [udp/5000-5010, udp/5005-5020]"), 14, 28, "udp/5005-5020 on VIP 203.0.113.80 overlaps ports udp/5000-5010"),
        ["port claimed by two services sharing a vip"] = (ConfigText.Base.Append("  - name: admin", "    vips: [203.0.113.80]", "    ports: [tcp/8080:80, tcp/80]", "    sites: [bravo]"), 18, 26, "tcp/80 on VIP 203.0.113.80 overlaps ports tcp/80 already claimed by service 'web' (line 14)"),
        ["service port takes the hub's WireGuard port"] = (ConfigText.Base.Replace(3, "    endpoint: 203.0.113.80:51820").Replace(14, "    ports: [udp/51820]"), 14, 13, "already claimed by the WireGuard endpoint of hub 'hub'"),
        ["undefined site"] = (ConfigText.Base.Replace(15, "    sites: [alpah]"), 15, 13, "service 'web' refers to undefined site 'alpah' (hint: did you mean 'alpha'?)"),
        ["hub listed as a site"] = (ConfigText.Base.Replace(15, "    sites: [hub]"), 15, 13, "'hub' in sites of service 'web' is a hub, not a site"),
        ["empty sites list"] = (ConfigText.Base.Replace(15, "    sites: []"), 15, 12, "'sites' is empty"),
        ["site listed twice"] = (ConfigText.Base.Replace(15, "    sites: [alpha, alpha]"), 15, 20, "site 'alpha' is listed twice"),
        ["unknown service key close to a policy key"] = (ConfigText.Base.Append("    preemt: true"), 16, 5, "unknown key 'preemt' in service (hint: did you mean 'preempt'?)"),
        ["unknown policy"] = (ConfigText.Base.Append("    policy: auto"), 16, 13, "unknown policy 'auto' (hint: use 'failover'"),
        ["preempt is not a boolean"] = (ConfigText.Base.Append("    preempt: yes"), 16, 14, "preempt must be true or false, not 'yes'"),
        ["duration without unit"] = (ConfigText.Base.Append("    hold_down: 3"), 16, 16, "hold_down '3' has no unit (hint: add one: 3ms or 3s)"),
        ["duration with an unknown unit"] = (ConfigText.Base.Append("    preempt_delay: 5sec"), 16, 20, "preempt_delay '5sec' is not a duration (hint: write a number with a unit"),
        ["negative preempt delay"] = (ConfigText.Base.Append("    preempt_delay: -1s"), 16, 20, "service 'web': preempt delay must not be negative"),
        ["negative startup grace"] = (ConfigText.Base.Append("    startup_grace: -0.5s"), 16, 20, "service 'web': startup grace must not be negative"),
        ["unknown no_healthy_site"] = (ConfigText.Base.Append("    no_healthy_site: sorry"), 16, 22, "unknown no_healthy_site 'sorry'"),
        ["last_resort without no_healthy_site"] = (ConfigText.Base.Append("    last_resort: alpha"), 16, 18, "last_resort is only used with no_healthy_site: last_resort"),
        ["no_healthy_site last_resort without a site"] = (ConfigText.Base.Append("    no_healthy_site: last_resort"), 16, 22, "needs a last_resort site (hint: add last_resort: <one of alpha>)"),
        ["last_resort not among the service's sites"] = (ConfigText.Base.Append("    no_healthy_site: last_resort", "    last_resort: bravo"), 17, 18, "last_resort 'bravo' is not one of the sites of service 'web' (hint: use one of alpha)"),
        ["checks is not a list"] = (ConfigText.Base.Append("    checks: http"), 16, 13, "checks must be a list"),
        ["check without type"] = (ConfigText.Base.Append("    checks: [{ port: 80 }]"), 16, 14, "check is missing required key 'type'"),
        ["unknown check type"] = (ConfigText.Base.Append("    checks: [{ type: htp }]"), 16, 22, "unknown check type 'htp' (hint: did you mean 'http'?"),
        ["unknown check key"] = (ConfigText.Base.Append("    checks:", "      - type: http", "        pth: /healthz"), 18, 9, "unknown key 'pth' in check (hint: did you mean 'path'?)"),
        ["check key of another type"] = (ConfigText.Base.Append("    checks: [{ type: tcp, path: /healthz }]"), 16, 27, "'path' does not apply to a tcp check (hint: 'path' is for http checks"),
        ["check name not valid"] = (ConfigText.Base.Append("    checks: [{ name: Web_Check, type: tcp }]"), 16, 22, "name 'Web_Check' is not valid"),
        ["check interval zero"] = (ConfigText.Base.Append("    checks: [{ type: tcp, interval: 0s }]"), 16, 37, "check tcp: interval must be positive"),
        ["check fast_interval zero"] = (ConfigText.Base.Append("    checks: [{ type: tcp, fast_interval: 0s }]"), 16, 42, "check tcp: fast_interval must be positive"),
        ["check fast_interval longer than interval"] = (ConfigText.Base.Append("    checks: [{ type: tcp, interval: 200ms, fast_interval: 300ms }]"), 16, 59, "check tcp: fast_interval must not be longer than interval (it is the pace while a site is in question)"),
        ["check timeout without unit"] = (ConfigText.Base.Append("    checks: [{ type: tcp, timeout: 250 }]"), 16, 36, "timeout '250' has no unit (hint: add one: 250ms or 250s)"),
        ["check rise zero"] = (ConfigText.Base.Append("    checks: [{ type: tcp, rise: 0 }]"), 16, 33, "check tcp: rise must be at least 1"),
        ["check attempts zero"] = (ConfigText.Base.Append("    checks: [{ type: tcp, attempts: 0 }]"), 16, 37, "check tcp: attempts must be between 1 and 8"),
        ["attempts on an exec check"] = (ConfigText.Base.Append("    checks: [{ type: exec, command: [/bin/true], attempts: 2 }]"), 16, 50, "'attempts' does not apply to an exec check (hint: 'attempts' is for http, tcp and udp checks"),
        ["check fall not a number"] = (ConfigText.Base.Append("    checks: [{ type: tcp, fall: two }]"), 16, 33, "fall must be a whole number, not 'two'"),
        ["check port out of range"] = (ConfigText.Base.Append("    checks: [{ type: tcp, port: 70000 }]"), 16, 33, "check tcp: port 70000 is not between 1 and 65535"),
        ["tcp check on a udp-only service"] = (ConfigText.Base.Replace(14, "    ports: [udp/53]").Append("    checks: [{ type: tcp }]"), 16, 22, "a tcp check needs a port, and service 'web' has no tcp port to default to"),
        ["http path without a slash"] = (ConfigText.Base.Append("    checks: [{ type: http, path: healthz }]"), 16, 34, "check http: path must start with '/'"),
        ["status range reversed"] = (ConfigText.Base.Append("    checks: [{ type: http, expect_status: 399-200 }]"), 16, 43, "check http: status range 399-200 is not within 100-599"),
        ["status out of range"] = (ConfigText.Base.Append("    checks: [{ type: http, expect_status: 600 }]"), 16, 43, "status range 600-600 is not within 100-599"),
        ["status is not a number"] = (ConfigText.Base.Append("    checks: [{ type: http, expect_status: 2xx }]"), 16, 43, "expect_status '2xx' is not a status or a range of statuses"),
        ["exec check without command"] = (ConfigText.Base.Append("    checks: [{ type: exec }]"), 16, 14, "check exec: an exec check needs a command"),
        ["exec command as one string"] = (ConfigText.Base.Append("    checks: [{ type: exec, command: /bin/true }]"), 16, 37, "command must be a list, not '/bin/true'"),
        ["exec command empty"] = (ConfigText.Base.Append("    checks: [{ type: exec, command: [] }]"), 16, 37, "check exec: an exec check needs a command"),
        ["two checks named after the same type"] = (ConfigText.Base.Append("    checks: [{ type: tcp }, { type: tcp, port: 81 }]"), 16, 29, "check name 'tcp' is used twice in service 'web' (first at line 16)"),
        ["local_checks is not a list"] = (ConfigText.Base.InsertAfter(8, "    local_checks: /bin/true"), 9, 19, "local_checks must be a list"),
        ["local check without command"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ name: db-replica }]"), 9, 20, "local check is missing required key 'command'"),
        ["local check command empty"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ command: [] }]"), 9, 31, "a local check needs a command, and this list is empty"),
        ["local check command as one string"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ command: /bin/true }]"), 9, 31, "command must be a list, not '/bin/true' (hint: write the program and its arguments as a list"),
        ["local check timeout without unit"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ command: [/bin/true], timeout: 2 }]"), 9, 53, "timeout '2' has no unit (hint: add one: 2ms or 2s)"),
        ["local check timeout zero"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ command: [/bin/true], timeout: 0s }]"), 9, 53, "local check local1: timeout must be positive"),
        ["unknown local check key"] = (ConfigText.Base.InsertAfter(8, "    local_checks:", "      - command: [/bin/true]", "        timout: 1s"), 11, 9, "unknown key 'timout' in local check (hint: did you mean 'timeout'?)"),
        ["local_checks misspelt"] = (ConfigText.Base.InsertAfter(8, "    local_check: []"), 9, 5, "unknown key 'local_check' in site (hint: did you mean 'local_checks'?)"),
        ["local check name not valid"] = (ConfigText.Base.InsertAfter(8, "    local_checks: [{ name: DB, command: [/bin/true] }]"), 9, 28, "name 'DB' is not valid"),
        ["two local checks with the same name"] = (ConfigText.Base.InsertAfter(8, "    local_checks:", "      - { name: db, command: [/bin/true] }", "      - { name: db, command: [/bin/false] }"), 11, 17, "local check name 'db' is used twice in this site (first at line 10)"),
        ["two checks with the same name"] = (ConfigText.Base.Append("    checks:", "      - { name: probe, type: tcp }", "      - { name: probe, type: http }"), 18, 17, "check name 'probe' is used twice in service 'web' (first at line 17)"),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Reports_the_problem_at_the_exact_node(string caseName)
    {
        var (text, line, column, fragment) = Cases.TryGetValue(caseName, out var single) ? single : PairCases[caseName];

        text.AssertSingleError(FileName, line, column, fragment);
    }

    [Fact]
    public void A_block_structure_the_yaml_scanner_loops_on_is_an_error_not_a_hang()
    {
        // Found by ConfigLoaderFuzzTests (seed fTr8VkmLSLQ6): the scanner repeated one error token forever, and the
        // loader, looking for where the file broke, read tokens until the reload hung.
        const string Text = "  : x }\na:\n  - b:# c\n    d: [e]\n    f: [g]\n";

        var result = Bounded.Run(() => ConfigLoader.Parse(Text, FileName));

        var error = Assert.Single(result.Errors);
        Assert.Equal((4, 6), (error.Line, error.Column));
        Assert.Contains("the parser cannot continue after this point", error.Message);
    }

    [Fact]
    public void The_unbroken_base_configuration_is_valid() => ConfigText.Base.AssertValid(FileName);
}
