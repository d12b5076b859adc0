namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// How the gateway guards its port, chosen when the cluster is created (upstream's <c>gateway start --plaintext</c> /
/// <c>--disable-gateway-auth</c>) and kept by the node for its life.
/// </summary>
public enum GatewaySecurity
{
    /// <summary>TLS with client certificates required (the default).</summary>
    Mtls,

    /// <summary>Plaintext HTTP (gRPC over h2c): no encryption and no client authentication.</summary>
    Plaintext,

    /// <summary>TLS, but client certificates are not required.</summary>
    TlsWithoutClientAuth,
}

/// <summary>Upstream's words for each <see cref="GatewaySecurity"/> and the node's environment that records it.</summary>
public static class GatewaySecurityModes
{
    /// <summary>The node's variable for plaintext (upstream's name; <c>true</c> when on).</summary>
    public const string DisableTlsVariable = "DISABLE_TLS";

    /// <summary>The node's variable for TLS without client certificates (upstream's name; <c>true</c> when on).</summary>
    public const string DisableGatewayAuthVariable = "DISABLE_GATEWAY_AUTH";

    /// <summary>Upstream's refusal when both modes are asked for.</summary>
    public const string ChooseOneMode = "--disable-gateway-auth is ignored when --plaintext is set; choose one mode";

    /// <summary>The mode two switches ask for; both together are refused by the settings, so plaintext wins here.</summary>
    public static GatewaySecurity From(bool plaintext, bool disableGatewayAuth) =>
        plaintext ? GatewaySecurity.Plaintext : disableGatewayAuth ? GatewaySecurity.TlsWithoutClientAuth : GatewaySecurity.Mtls;

    /// <summary>Upstream remote deploy's words: <c>mTLS enabled</c>, <c>plaintext HTTP</c>, <c>TLS enabled, client cert auth disabled</c>.</summary>
    public static string Describe(this GatewaySecurity security) => security switch
    {
        GatewaySecurity.Plaintext => "plaintext HTTP",
        GatewaySecurity.TlsWithoutClientAuth => "TLS enabled, client cert auth disabled",
        _ => "mTLS enabled",
    };

    /// <summary>True for every mode but <see cref="GatewaySecurity.Mtls"/>.</summary>
    public static bool IsInsecure(this GatewaySecurity security) => security != GatewaySecurity.Mtls;

    /// <summary>
    /// The line shown wherever the mode is: <c>security: mTLS enabled</c>, or <c>security: INSECURE (plaintext HTTP)</c>.
    /// </summary>
    public static string SecurityLine(this GatewaySecurity security) =>
        security.IsInsecure() ? $"INSECURE ({security.Describe()})" : security.Describe();

    /// <summary>What an insecure mode gives up, for the INSECURE line; empty for the default.</summary>
    public static string Risk(this GatewaySecurity security) => security switch
    {
        GatewaySecurity.Plaintext => "no encryption and no client authentication",
        GatewaySecurity.TlsWithoutClientAuth => "any client that reaches the port may call it: no client certificate is required",
        _ => "",
    };

    /// <summary>
    /// The line front ends print for an insecure mode, with upstream's words for it:
    /// <c>INSECURE: gateway on 127.0.0.1:PORT, security=plaintext HTTP: no encryption and no client authentication</c>.
    /// </summary>
    public static string InsecureLine(this GatewaySecurity security, int port) =>
        $"INSECURE: gateway on 127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}, security={security.Describe()}: {security.Risk()}";

    /// <summary>The switch that asks for <paramref name="security"/>, or null for the default.</summary>
    public static string? Switch(this GatewaySecurity security) => security switch
    {
        GatewaySecurity.Plaintext => "--plaintext",
        GatewaySecurity.TlsWithoutClientAuth => "--disable-gateway-auth",
        _ => null,
    };

    /// <summary>The node's environment entries for <paramref name="security"/> (none for the default).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment(this GatewaySecurity security) => security switch
    {
        GatewaySecurity.Plaintext => [new(DisableTlsVariable, "true")],
        GatewaySecurity.TlsWithoutClientAuth => [new(DisableGatewayAuthVariable, "true")],
        _ => [],
    };

    /// <summary>
    /// The mode a reused node <paramref name="containerName"/> keeps: the one it was created with (<paramref name="current"/>),
    /// since the gateway's values and the node's health check depend on it and only a new node changes them, as upstream
    /// needs <c>--recreate</c> to. The default asks for nothing and keeps the node's mode, so a deploy need not repeat
    /// <c>--plaintext</c>; an insecure mode other than the node's is refused.
    /// </summary>
    /// <exception cref="Errors.DevLoopException"><paramref name="wanted"/> is an insecure mode the node was not created with.</exception>
    public static GatewaySecurity Keep(string containerName, GatewaySecurity current, GatewaySecurity wanted)
    {
        if (wanted == current || wanted.Switch() is not { } requested)
        {
            return current;
        }

        throw new Errors.DevLoopException("Cluster",
            $"cluster {containerName} was created with security={current.Describe()}; {requested} asks for {wanted.Describe()}, which only a new cluster can have",
            $"Add --recreate (on the dashboard: Recreate) to destroy the cluster and create it with {requested} (its state is lost), or leave {requested} out to keep security={current.Describe()}.");
    }

    /// <summary>The mode a node container was created with, read from its environment (<c>NAME=value</c> entries).</summary>
    public static GatewaySecurity FromEnvironment(IEnumerable<string>? environment)
    {
        var entries = environment?.ToHashSet(StringComparer.Ordinal) ?? [];
        return From(entries.Contains($"{DisableTlsVariable}=true"), entries.Contains($"{DisableGatewayAuthVariable}=true"));
    }
}
