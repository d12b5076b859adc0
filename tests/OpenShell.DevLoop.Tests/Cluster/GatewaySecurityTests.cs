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
}
