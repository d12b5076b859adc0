namespace OpenShell.DevLoop.Pki;

/// <summary>The gateway's TLS material in PEM form. Holds private keys: never log it.</summary>
/// <param name="CaCertificate">The CA certificate that signed both leaf certificates.</param>
/// <param name="ServerCertificate">The gateway's server certificate.</param>
/// <param name="ServerKey">The server certificate's private key (PKCS#8).</param>
/// <param name="ClientCertificate">The client certificate for local tools.</param>
/// <param name="ClientKey">The client certificate's private key (PKCS#8).</param>
public sealed record PkiMaterial(string CaCertificate, string ServerCertificate, string ServerKey, string ClientCertificate, string ClientKey)
{
    /// <summary>The CA's private key (PKCS#8), kept so that the server certificate can be reissued by the same CA; empty when unknown.</summary>
    public string CaKey { get; init; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => "PkiMaterial { keys hidden }";
}
