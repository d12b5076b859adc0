using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>
/// Fake node tools for running cluster-entrypoint.sh and cluster-healthcheck.sh on the test machine: <c>iptables</c>,
/// <c>iptables-legacy</c>, <c>update-alternatives</c>, <c>ip</c>, <c>nslookup</c>, <c>getent</c> and <c>sleep</c>, first in
/// <c>PATH</c>, so the scripts never touch the real firewall or alternatives. Each logs its arguments to
/// <c>calls/&lt;tool&gt;.log</c> and behaves as the <c>FAKE_*</c> variables say:
/// <list type="bullet">
/// <item><c>FAKE_IPTABLES</c>: <c>denied</c> (default: every call fails, as in an unprivileged container), <c>nft</c>
/// (works, the xt comment match too), <c>nft-no-xt</c> (works, but <c>-m comment</c> fails).</item>
/// <item><c>FAKE_DOCKER_DNS</c>: <c>1</c> (default) lists Docker's DOCKER_OUTPUT DNAT rules (udp 45678, tcp 34567).</item>
/// <item><c>FAKE_ALTERNATIVES</c>: <c>ok</c> (default) or <c>fail</c>.</item>
/// <item><c>FAKE_ROUTE</c>: <c>1</c> (default) a default route via 172.18.0.1; <c>0</c> none. <c>FAKE_ETH0</c>: eth0's address (172.18.0.5; <c>none</c>: no address).</item>
/// <item><c>FAKE_DNS</c>: <c>ok</c> (default) or <c>fail</c>. <c>FAKE_HOST_GATEWAY</c>: what host.docker.internal resolves to (unset: nothing).</item>
/// </list>
/// </summary>
internal sealed class NodeFakes
{
    private const string Iptables = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/$(basename "$0").log"
        mode="${FAKE_IPTABLES:-denied}"
        [ "$(basename "$0")" = iptables-legacy ] && mode=nft
        [ "$mode" = denied ] && { echo "iptables: Permission denied (you must be root)" >&2; exit 4; }
        case "$*" in
          *"-m comment"*) [ "$mode" = nft-no-xt ] && { echo "iptables: No chain/target/match by that name." >&2; exit 1; } ;;
          "-t nat -S DOCKER_OUTPUT")
            [ "${FAKE_DOCKER_DNS:-1}" = 1 ] || { echo "iptables: No chain/target/match by that name." >&2; exit 1; }
            echo "-N DOCKER_OUTPUT"
            echo "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:34567"
            echo "-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:45678"
            ;;
        esac
        exit 0
        """;

    private const string UpdateAlternatives = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/update-alternatives.log"
        [ "${FAKE_ALTERNATIVES:-ok}" = ok ]
        """;

    private const string Ip = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/ip.log"
        route="${FAKE_ROUTE:-1}"
        case "$*" in
          "-4 addr show eth0")
            echo "2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP"
            [ "${FAKE_ETH0:-}" = none ] || echo "    inet ${FAKE_ETH0:-172.18.0.5}/16 brd 172.18.255.255 scope global eth0" ;;
          "-4 route show default") [ "$route" = 1 ] && echo "default via 172.18.0.1 dev eth0" ;;
          "-6 route show default") ;;
          "-4 route show"|"-4 route")
            [ "$route" = 1 ] && echo "default via 172.18.0.1 dev eth0"
            echo "172.18.0.0/16 dev eth0 proto kernel scope link src ${FAKE_ETH0:-172.18.0.5}" ;;
          "-6 route show") echo "fe80::/64 dev eth0 proto kernel metric 256" ;;
          *) echo "fake ip: unexpected: $*" >&2; exit 2 ;;
        esac
        exit 0
        """;

    private const string Nslookup = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/nslookup.log"
        [ "${FAKE_DNS:-ok}" = ok ] || { echo ";; connection timed out; no servers could be reached"; exit 1; }
        echo "Name: $1"; echo "Address: 203.0.113.7"
        """;

    private const string Getent = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/getent.log"
        [ "$*" = "ahostsv4 host.docker.internal" ] && [ -n "${FAKE_HOST_GATEWAY:-}" ] || exit 2
        echo "$FAKE_HOST_GATEWAY STREAM host.docker.internal"
        echo "$FAKE_HOST_GATEWAY DGRAM"
        """;

    private const string Sleep = """
        #!/bin/sh
        echo "$*" >> "$FAKE_CALLS/sleep.log"
        """;

    private readonly TempDirectory _root;

    public NodeFakes(TempDirectory root)
    {
        _root = root;
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(Calls);
        foreach (var (name, script) in new[]
        {
            ("iptables", Iptables), ("iptables-legacy", Iptables), ("update-alternatives", UpdateAlternatives),
            ("ip", Ip), ("nslookup", Nslookup), ("getent", Getent), ("sleep", Sleep),
        })
        {
            var path = Path.Combine(Bin, name);
            File.WriteAllText(path, script.Replace("\r", "", StringComparison.Ordinal) + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // A cgroup v2 host with br_netfilter loaded, unless a test says otherwise.
        Directory.CreateDirectory(Path.Combine(Proc, "sys", "net", "bridge"));
        File.WriteAllText(Path.Combine(Proc, "sys", "net", "bridge", "bridge-nf-call-iptables"), "1\n");
        Directory.CreateDirectory(Path.Combine(Proc, "net"));
        File.WriteAllText(Path.Combine(Proc, "net", "route"), "Iface\tDestination\tGateway\nethX\t0012AC\t00000000\n");
        Directory.CreateDirectory(Cgroup);
        File.WriteAllText(Path.Combine(Cgroup, "cgroup.controllers"), "cpu memory pids\n");
    }

    public string Bin => _root.Combine("fake-bin");

    public string Calls => _root.Combine("calls");

    public string Proc => _root.Combine("proc");

    public string Cgroup => _root.Combine("cgroup");

    public string Flannel => _root.Combine("run-flannel");

    /// <summary>What a tool was called with, one call per line ("" when it was not called).</summary>
    public string CallsOf(string tool)
    {
        var path = Path.Combine(Calls, $"{tool}.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>Adds the fakes and the node paths to <paramref name="env"/> (test values already there win).</summary>
    public void Apply(IDictionary<string, string?> env)
    {
        env.TryAdd("PATH", $"{Bin}:{Environment.GetEnvironmentVariable("PATH")}");
        env.TryAdd("FAKE_CALLS", Calls);
        env.TryAdd("OPENSHELL_PROC_DIR", Proc);
        env.TryAdd("OPENSHELL_CGROUP_DIR", Cgroup);
        env.TryAdd("OPENSHELL_FLANNEL_RUN_DIR", Flannel);
        env.TryAdd("OPENSHELL_ROUTE_WAIT_ATTEMPTS", "3");
        env.TryAdd("OPENSHELL_ROUTE_WAIT_DELAY", "0");
    }
}
