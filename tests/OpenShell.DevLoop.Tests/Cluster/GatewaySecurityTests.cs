using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

/// <summary>The words shown for each gateway security mode: upstream remote deploy's, and INSECURE for both insecure modes.</summary>
public sealed class GatewaySecurityTests
{
    public static TheoryData<GatewaySecurity, string, string, string?> Modes => new()
    {
        // mode, security line, INSECURE line on port 18080 (empty: none is printed), the switch that asks for it
        { GatewaySecurity.Mtls, "mTLS enabled", "", null },
        {
            GatewaySecurity.Plaintext, "INSECURE (plaintext HTTP)",
            "INSECURE: gateway on 127.0.0.1:18080, security=plaintext HTTP: no encryption and no client authentication", "--plaintext"
        },
        {
            GatewaySecurity.TlsWithoutClientAuth, "INSECURE (TLS enabled, client cert auth disabled)",
            "INSECURE: gateway on 127.0.0.1:18080, security=TLS enabled, client cert auth disabled: any client that reaches the port may call it: no client certificate is required",
            "--disable-gateway-auth"
        },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Each_mode_is_shown_in_upstreams_words(GatewaySecurity security, string securityLine, string insecureLine, string? requestedBy)
    {
        Assert.Equal(securityLine, security.SecurityLine());
        Assert.Equal(insecureLine.Length > 0, security.IsInsecure());
        if (security.IsInsecure())
        {
            Assert.Equal(insecureLine, security.InsecureLine(18080));
        }

        Assert.Equal(requestedBy, security.Switch());
    }

    public static TheoryData<GatewaySecurity, GatewaySecurity, GatewaySecurity?, string> Reuses => new()
    {
        // the node's mode, the mode asked for, the mode kept (null: refused), words of the refusal
        { GatewaySecurity.Mtls, GatewaySecurity.Mtls, GatewaySecurity.Mtls, "" },
        { GatewaySecurity.Plaintext, GatewaySecurity.Plaintext, GatewaySecurity.Plaintext, "" },
        // No switch: the node's mode is kept.
        { GatewaySecurity.Plaintext, GatewaySecurity.Mtls, GatewaySecurity.Plaintext, "" },
        { GatewaySecurity.TlsWithoutClientAuth, GatewaySecurity.Mtls, GatewaySecurity.TlsWithoutClientAuth, "" },
        // Another mode needs a new node.
        {
            GatewaySecurity.Mtls, GatewaySecurity.Plaintext, null,
            "cluster openshell-cluster-demo was created with security=mTLS enabled; --plaintext asks for plaintext HTTP, which only a new cluster can have"
        },
        {
            GatewaySecurity.Plaintext, GatewaySecurity.TlsWithoutClientAuth, null,
            "cluster openshell-cluster-demo was created with security=plaintext HTTP; --disable-gateway-auth asks for TLS enabled, client cert auth disabled, which only a new cluster can have"
        },
    };

    [Theory]
    [MemberData(nameof(Reuses))]
    public void A_reused_node_keeps_its_mode_and_refuses_another_insecure_one(GatewaySecurity current, GatewaySecurity wanted, GatewaySecurity? kept, string refusal)
    {
        if (kept is { } expected)
        {
            Assert.Equal(expected, GatewaySecurityModes.Keep("openshell-cluster-demo", current, wanted));
            return;
        }

        var error = Assert.Throws<DevLoop.Errors.DevLoopException>(() => GatewaySecurityModes.Keep("openshell-cluster-demo", current, wanted));
        Assert.Equal(refusal, error.Message);
        Assert.Equal("Cluster", error.StepName);
        Assert.StartsWith($"Add --recreate", error.Remedy, StringComparison.Ordinal);
    }
}
